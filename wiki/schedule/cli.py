"""``flask schedule problem EVENT`` and ``flask schedule solve PROBLEM.json``."""

from __future__ import annotations

import io
from contextlib import redirect_stderr

import click
from flask.cli import AppGroup

from wiki.events.models import Event
from wiki.extensions import db

schedule_group = AppGroup("schedule", help="Build scheduling problems and solve them.")


@schedule_group.command("problem")
@click.argument("slug")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None)
def problem(slug: str, output: str | None):
    """Write the event SLUG's scheduling problem (FORMAT.md JSON) to stdout or a file."""
    from sqlalchemy import select

    from wiki.schedule.problems import SetupError, problem_json

    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        raise click.ClickException(f"No event is at /events/{slug}.")
    try:
        text = problem_json(event)
    except SetupError as error:
        raise click.ClickException(f"{event.name}: {error.message}") from None
    if output:
        with open(output, "w", encoding="utf-8") as f:
            f.write(text + "\n")
        click.echo(f"Wrote the problem for {event.name} to {output}.", err=True)
    else:
        click.echo(text)


@schedule_group.command(
    "solve", context_settings={"ignore_unknown_options": True, "allow_extra_args": True}
)
@click.argument("problem_file", metavar="PROBLEM.json")
@click.pass_context
def solve(ctx: click.Context, problem_file: str):
    """Plan the grid for PROBLEM.json and print it (options as python -m wiki.schedule.solver:
    --time-limit S, --seed N, --method, --steps N, --progress)."""
    from wiki.schedule.solver import cli

    errors = io.StringIO()
    out = io.StringIO()
    try:
        with redirect_stderr(errors):
            status = cli.main([problem_file, *ctx.args], stdout=out)
    except SystemExit as stop:  # argparse: a bad option, or --help
        status = stop.code if isinstance(stop.code, int) else 2
    click.echo(out.getvalue(), nl=False)
    if errors.getvalue():
        click.echo(errors.getvalue(), nl=False, err=True)
    if status:
        ctx.exit(status)
