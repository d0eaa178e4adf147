"""Paginate selects that return rows of several columns (an object and its counts, say)."""
from flask import current_app, request
from flask_sqlalchemy.pagination import SelectPagination

from trainhub.extensions import db


class RowPagination(SelectPagination):
    """Like db.paginate, but each item is a whole row rather than its first column."""

    def _query_items(self) -> list:
        select = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        return list(self._query_args["session"].execute(select).all())


def paginate_rows(select) -> RowPagination:
    """Return the requested page (?page=, PAGE_SIZE rows) of a multi-column select."""
    return RowPagination(select=select, session=db.session(), page=request.args.get("page", 1, type=int),
                         per_page=current_app.config["PAGE_SIZE"], max_per_page=current_app.config["PAGE_SIZE"],
                         error_out=False)


def paginate(select):
    """Return the requested page (?page=, PAGE_SIZE items) of a select of one entity."""
    return db.paginate(select, page=request.args.get("page", 1, type=int),
                       per_page=current_app.config["PAGE_SIZE"], max_per_page=current_app.config["PAGE_SIZE"],
                       error_out=False)
