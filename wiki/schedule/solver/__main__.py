"""Run the solver on a problem file: ``python -m wiki.schedule.solver PROBLEM.json``."""

import sys

from wiki.schedule.solver.cli import main

sys.exit(main())
