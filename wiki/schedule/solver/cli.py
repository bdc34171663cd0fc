"""The solver as a process: ``python -m wiki.schedule.solver PROBLEM.json``.

Prints the grid (FORMAT.md) on stdout. ``--progress`` writes one JSON line per progress report
to stderr, or to the file descriptor ``--progress-fd`` names. SIGTERM or SIGINT stops the solve
and the best grid found so far is printed, with status "cancelled". A bad problem file exits
with status 2 and one line on stderr saying what is wrong.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from collections.abc import Sequence
from typing import IO

from wiki.schedule.solver.problem import ProblemError, grid_to_dict, problem_from_json
from wiki.schedule.solver.search import METHODS, Progress, solve


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m wiki.schedule.solver",
        description="Plan a BarCamp grid from a problem file; print the grid as JSON.",
    )
    parser.add_argument("problem", help="the problem file (JSON, FORMAT.md); - for stdin")
    parser.add_argument(
        "--time-limit", type=float, default=10.0, metavar="S", help="seconds to search (default 10)"
    )
    parser.add_argument("--seed", type=int, default=0, metavar="N", help="random seed")
    parser.add_argument("--method", choices=METHODS, default="auto")
    parser.add_argument(
        "--steps",
        type=int,
        default=None,
        metavar="N",
        help="annealing steps, instead of a budget from the time limit",
    )
    parser.add_argument(
        "--progress", action="store_true", help="write a JSON line per progress report to stderr"
    )
    parser.add_argument(
        "--progress-fd",
        type=int,
        default=None,
        metavar="FD",
        help="write the progress lines to this file descriptor instead",
    )
    return parser


def progress_line(progress: Progress) -> str:
    """Return one progress report as a JSON line (without the newline)."""
    return json.dumps(
        {
            "elapsed": round(progress.elapsed, 3),
            "time_limit": progress.time_limit,
            "objective": progress.objective,
            "bound": progress.bound,
            "bound_kind": progress.bound_kind,
            "schedule": {k: list(v) for k, v in progress.grid.schedule.items()},
        }
    )


def main(argv: Sequence[str] | None = None, stdout: IO[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = _parser().parse_args(argv)
    stdout = stdout or sys.stdout
    try:
        if args.problem == "-":
            text = sys.stdin.buffer.read()
        else:
            with open(args.problem, "rb") as f:
                text = f.read()
        problem = problem_from_json(text)
    except OSError as error:
        print(f"campwiki solver: cannot read {args.problem}: {error.strerror}", file=sys.stderr)
        return 2
    except ProblemError as error:
        print(f"campwiki solver: {args.problem}: {error}", file=sys.stderr)
        return 2

    stop = {"asked": False}

    def ask_stop(signum: int, frame: object) -> None:
        stop["asked"] = True

    previous = {sig: signal.signal(sig, ask_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    sink: IO[str] | None = None
    if args.progress_fd is not None:
        sink = os.fdopen(args.progress_fd, "w", buffering=1, closefd=False)
    elif args.progress:
        sink = sys.stderr

    def report(progress: Progress) -> None:
        if sink is not None:
            try:
                sink.write(progress_line(progress) + "\n")
                sink.flush()
            except OSError:
                pass  # whoever listened has gone; the grid on stdout still matters

    try:
        result = solve(
            problem,
            time_limit=args.time_limit,
            seed=args.seed,
            method=args.method,
            steps=args.steps,
            on_progress=report if sink is not None else None,
            should_stop=lambda: stop["asked"],
        )
    except ProblemError as error:
        print(f"campwiki solver: {args.problem}: {error}", file=sys.stderr)
        return 2
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    stdout.write(json.dumps(grid_to_dict(result.grid)) + "\n")
    stdout.flush()
    return 0
