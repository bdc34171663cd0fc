"""Command-line tools: ``flask --app wsgi <command>``."""

from __future__ import annotations

from datetime import timedelta

import click
from alembic import command
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from wiki import demo, migrations
from wiki.accounts import services
from wiki.auth import Role
from wiki.events import reminders
from wiki.extensions import db
from wiki.live import services as live
from wiki.mail import mail_configured
from wiki.words import noun, plural

db_group = AppGroup("db", help="Manage the database schema through Alembic migrations.")


@db_group.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str):
    """Apply migrations up to REVISION (default: the newest)."""
    migrations.upgrade(current_app, revision)
    click.echo(f"Database is at {revision}.")


@db_group.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str):
    """Undo migrations down to REVISION."""
    command.downgrade(migrations.alembic_config(current_app), revision)


@db_group.command("revision")
@click.option("-m", "--message", required=True)
@click.option("--autogenerate/--empty", default=True)
def db_revision(message: str, autogenerate: bool):
    """Write a new migration, by default from the models' differences."""
    command.revision(
        migrations.alembic_config(current_app), message=message, autogenerate=autogenerate
    )


@db_group.command("check")
def db_check():
    """Fail when the models and the migrated database disagree."""
    diff = migrations.pending_changes(current_app)
    if diff:
        for item in diff:
            click.echo(f"  {item}")
        raise click.ClickException("The models have changes that no migration holds.")
    click.echo("Models and migrations agree.")


@click.command("create-admin")
@with_appcontext
@click.argument("username")
@click.option("--display-name", default="")
@click.option("--email", default=None)
@click.password_option()
def create_admin(username: str, display_name: str, email: str | None, password: str):
    """Create an admin account, or make an existing account an admin."""
    user = services.find_user(username)
    if user is None:
        try:
            user = services.register_user(
                username,
                password,
                display_name=display_name,
                email=email,
                invite_code=current_app.config["INVITE_CODE"],
                role=Role.ADMIN,
            )
        except services.AccountError as error:
            raise click.ClickException(error.message) from None
    else:
        user.role = Role.ADMIN
    db.session.commit()
    click.echo(f"{user.username} is an admin.")


@click.command("issue-reset-link")
@with_appcontext
@click.argument("username")
def issue_reset_link(username: str):
    """Print a one-time link that lets USERNAME choose a new password."""
    user = services.find_user(username)
    if user is None:
        raise click.ClickException(f"No account is called {username!r}.")
    # Outside a request the link is built from BASE_URL (see wiki.urls).
    link = services.issue_reset_link(user)
    db.session.commit()
    hours = int(link.expires_in.total_seconds() // 3600)
    lasts = plural(hours, "hour")
    click.echo(f"Give this link to {user.display_name}; it works once, for {lasts}:")
    click.echo(link.url)


@click.command("prune-live")
@click.option("--days", default=7, show_default=True, help="Keep live events this recent.")
@with_appcontext
def prune_live(days: int):
    """Delete old live events (browsers further behind get a fresh page, not a replay)."""
    removed = live.prune(timedelta(days=days))
    db.session.commit()
    click.echo(f"Removed {plural(removed, 'live event')} older than {plural(days, 'day')}.")


@click.command("send-reminders")
@with_appcontext
def send_reminders():
    """E-mail households a week before their event and the day before (run it from cron)."""
    if not mail_configured():
        raise click.ClickException("No mail server is set (CAMPWIKI_MAIL_SERVER).")
    sent = reminders.send_reminders()
    db.session.commit()
    click.echo(
        f"Sent {sent.week} week-ahead and {sent.day} day-before "
        f"{noun(sent.week + sent.day, 'reminder')}."
    )


@click.command("seed-demo")
@with_appcontext
@click.option("--force", is_flag=True, help="Seed even when the site already has accounts.")
def seed_demo(force: bool):
    """Fill an empty site with a demo event, people and pages to look around."""
    if demo.seed(force=force):
        db.session.commit()
        click.echo(
            "Demo content created. Log in as 'organiser' with password 'festival-with-toilets'."
        )
    else:
        click.echo("The site already has content; demo not seeded.")


def init_app(app: Flask) -> None:
    """Register the commands."""
    app.cli.add_command(db_group)
    app.cli.add_command(create_admin)
    app.cli.add_command(issue_reset_link)
    app.cli.add_command(seed_demo)
    app.cli.add_command(prune_live)
    app.cli.add_command(send_reminders)
    from wiki.schedule.cli import schedule_group

    app.cli.add_command(schedule_group)
