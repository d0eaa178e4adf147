"""Long `IN (...)` lists, split into parts every database takes.

SQLite built before 3.32 takes at most 999 parameters in one statement, so every list of ids or
codes that may grow with the data is sent in parts of `IN_LIST_SIZE`.
"""
from collections.abc import Iterable, Iterator

IN_LIST_SIZE = 900


def in_chunks(values: Iterable, size: int = IN_LIST_SIZE) -> Iterator[list]:
    """Yield `values` in lists of at most `size`, in their order."""
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start:start + size]
