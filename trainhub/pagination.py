"""Paginate selects: of one entity, of rows of several columns, or of ids loaded a page at a time."""
from collections.abc import Callable

import sqlalchemy as sa
from flask import current_app, request
from flask_sqlalchemy.pagination import Pagination, SelectPagination

from trainhub.extensions import db


class RowPagination(SelectPagination):
    """Like db.paginate, but each item is a whole row rather than its first column."""

    def _query_items(self) -> list:
        select = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        return list(self._query_args["session"].execute(select).all())

    def _query_count(self) -> int:
        if self._query_args["count_select"] is None:
            return super()._query_count()
        counted = self._query_args["count_select"].order_by(None).subquery()
        return self._query_args["session"].scalar(sa.select(sa.func.count()).select_from(counted))


class IdPagination(Pagination):
    """Page over ids, then load only that page's objects.

    The database sorts and counts narrow id rows instead of every joined column of every match.
    """

    def _query_items(self) -> list:
        ids = self._query_args["ids"].limit(self.per_page).offset(self._query_offset)
        return self._query_args["load"](list(self._query_args["session"].scalars(ids)))

    def _query_count(self) -> int:
        counted = self._query_args["count_ids"].order_by(None).subquery()
        return self._query_args["session"].scalar(sa.select(sa.func.count()).select_from(counted))


def _page_args() -> dict:
    page_size = current_app.config["PAGE_SIZE"]
    return {"page": request.args.get("page", 1, type=int), "per_page": page_size, "max_per_page": page_size,
            "error_out": False}


def paginate_rows(select, count: sa.Select | None = None) -> RowPagination:
    """Return the requested page (?page=, PAGE_SIZE rows) of a multi-column select.

    `count` is the same selection of ids alone, without the joins only the columns need; it
    defaults to the whole select.
    """
    return RowPagination(select=select, count_select=count, session=db.session(), **_page_args())


def paginate(select):
    """Return the requested page (?page=, PAGE_SIZE items) of a select of one entity."""
    return db.paginate(select, **_page_args())


def paginate_ids(ids: sa.Select, load: Callable[[list], list], count: sa.Select | None = None) -> IdPagination:
    """Return the requested page of a sorted select of ids, its objects loaded by `load(ids)`.

    `count` is the same selection without what only the sort needs (a join, say); it defaults
    to `ids` without its ORDER BY.
    """
    return IdPagination(ids=ids, load=load, count_ids=ids if count is None else count, session=db.session(),
                        **_page_args())
