"""Errors the engine raises for bad input."""


class ProblemError(ValueError):
    """Bad input: the message names the offending id and field, in one line."""
