"""Access scoping: every ORM query is limited to what the current user may see.

A request sets the user's Scope on the database session; a session event then adds
a WHERE criterion for every scoped model to every SELECT the ORM runs (lists, gets,
counts, joins and relationship loads alike). Views never filter by hand, so an
out-of-scope id simply is not found and answers 404.

Without a scope on the session (command line, background jobs, tests of services)
queries are unscoped: those callers act for the system, not for a user. Services
that must count beyond the user's reach (a programme's filled seats, say) say so
with `unscoped()`.
"""
from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

import sqlalchemy as sa
from flask import abort
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from trainhub.extensions import db

SCOPE_KEY = "trainhub_scope"
UNSCOPED_OPTION = "trainhub_unscoped"


@dataclass(frozen=True)
class Scope:
    """What one user may see.

    unit_path: the root of the visible subtree of units ("/620000/622900/"), or None.
    home_path: the path of the user's own unit; it and its ancestors are visible by name.
    school_id: a school administrator's (or teacher's) school.
    teacher_id: a teacher's own record.
    """

    unit_path: str | None = None
    home_path: str | None = None
    school_id: int | None = None
    teacher_id: int | None = None

    @classmethod
    def nothing(cls) -> Scope:
        return cls(home_path="/nothing/", school_id=-1, teacher_id=-1)


# model class -> function(scope) returning a lambda criterion for with_loader_criteria, or None
_RULES: dict[type, Callable[[Scope], Callable | None]] = {}


def scope_rule(model: type):
    """Register the function that limits `model` to a scope."""

    def register(function):
        _RULES[model] = function
        _criteria_options.cache_clear()
        return function

    return register


def set_scope(session: Session, scope: Scope | None) -> None:
    if scope is None:
        session.info.pop(SCOPE_KEY, None)
    else:
        session.info[SCOPE_KEY] = scope


def current_scope(session: Session | None = None) -> Scope | None:
    return (session or db.session).info.get(SCOPE_KEY)


@contextmanager
def unscoped(session: Session | None = None):
    """Run the block without the user's scope (for system-wide counts and checks)."""
    session = session or db.session()
    saved = session.info.pop(SCOPE_KEY, None)
    try:
        yield
    finally:
        if saved is not None:
            session.info[SCOPE_KEY] = saved


@event.listens_for(Session, "do_orm_execute")
def _apply_scope(state: ORMExecuteState) -> None:
    scope = state.session.info.get(SCOPE_KEY)
    if scope is None or not state.is_select or state.is_column_load:
        return
    if state.execution_options.get(UNSCOPED_OPTION):
        return
    options = _criteria_options(scope)
    if options:
        state.statement = state.statement.options(*options)


# The options depend on the scope's values alone and hold no data, so they are built once per
# scope and kept for the 1,024 scopes used last: every unit and school of a province, while a
# teacher's own scope may drop out and be built again.
@lru_cache(maxsize=1024)
def _criteria_options(scope: Scope) -> tuple:
    """Return the loader options that limit every scoped model to `scope`."""
    options = []
    for model, rule in _RULES.items():
        criterion = rule(scope)
        if criterion is not None:
            options.append(with_loader_criteria(model, criterion, include_aliases=True))
    return tuple(options)


def get_or_404(model: type, object_id, *options):
    """Load one object by id through the scope; a missing or out-of-scope id answers 404.

    `options` are loader options (joinedload, selectinload) for what the page will show.
    """
    found = db.session.scalars(sa.select(model).where(model.id == object_id).options(*options)).first()
    if found is None:
        abort(404)
    return found


def ancestor_paths(path: str) -> list[str]:
    """Return "/a/", "/a/b/", "/a/b/c/" for "/a/b/c/": the unit and all above it."""
    parts = [part for part in path.split("/") if part]
    return ["/" + "/".join(parts[: depth + 1]) + "/" for depth in range(len(parts))]
