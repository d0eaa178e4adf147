"""TrainHub's allocation engine: placement of teachers on posts, importable without the web app.

Public entry points:
    solve_document(doc, time_limit=None) -> result document (dict)
    ProblemError: raised for bad input, with a message naming the offending id and field
"""
from allocation.errors import ProblemError
from allocation.api import solve_document

__all__ = ["ProblemError", "solve_document"]
