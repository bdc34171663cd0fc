"""A solve job's own process: ``python -m wiki.schedule JOB_ID`` (started by ``jobs.launch``).

It builds the app the environment configures and runs the job (``runner.run``); it is an
entry point, like the CLI, so it may import the app factory.
"""

from __future__ import annotations

import logging
import sys

from wiki import create_app
from wiki.schedule import runner


def main(argv: list[str]) -> int:
    """Run the job named on the command line."""
    if len(argv) != 2 or not argv[1].isdigit():
        print("usage: python -m wiki.schedule JOB_ID", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.WARNING)
    runner.run(create_app(), int(argv[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
