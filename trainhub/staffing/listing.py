"""Paginate a list computed in Python (rows sorted by a computed shortage, say)."""
from flask import current_app, request
from flask_sqlalchemy.pagination import Pagination


class ListPage(Pagination):
    """The requested page (?page=, PAGE_SIZE items) of an in-memory list, for the usual page links."""

    def __init__(self, items: list):
        self._all = items
        per_page = current_app.config["PAGE_SIZE"]
        super().__init__(page=request.args.get("page", 1, type=int), per_page=per_page, max_per_page=per_page,
                         error_out=False)

    def _query_items(self) -> list:
        return self._all[self._query_offset:self._query_offset + self.per_page]

    def _query_count(self) -> int:
        return len(self._all)
