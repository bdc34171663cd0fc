"""The pure scheduling core of issue 11: problem in, grid out, no Flask, no database.

``solve(problem, time_limit=...)`` plans a grid; ``load_problem`` / ``problem_from_json`` read
FORMAT.md's problem, ``score`` gives every term of J, ``validate`` checks the hard rules
independently of the search, and ``report`` explains a grid in a facilitator's words.
"""

from wiki.schedule.solver.problem import (
    Grid,
    Params,
    Person,
    Pitch,
    Placement,
    Problem,
    ProblemError,
    Room,
    Slot,
    Vote,
    Weights,
    grid_from_dict,
    grid_to_dict,
    load_problem,
    problem_from_json,
    problem_to_dict,
)
from wiki.schedule.solver.score import Index, Score, score
from wiki.schedule.solver.search import Progress, Result, solve
from wiki.schedule.solver.validate import Violation, validate

__all__ = [
    "Grid",
    "Index",
    "Params",
    "Person",
    "Pitch",
    "Placement",
    "Problem",
    "ProblemError",
    "Progress",
    "Result",
    "Room",
    "Score",
    "Slot",
    "Vote",
    "Violation",
    "Weights",
    "grid_from_dict",
    "grid_to_dict",
    "load_problem",
    "problem_from_json",
    "problem_to_dict",
    "score",
    "solve",
    "validate",
]
