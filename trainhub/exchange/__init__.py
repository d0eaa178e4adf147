"""Spreadsheet exchange with the registry: imports (/imports) and exports (/exports)."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from trainhub.navigation import add_nav_item

bp = Blueprint("exchange", __name__)
add_nav_item("exchange.imports", _l("Import"), capability="edit_registry", order=70)
add_nav_item("exchange.exports_page", _l("Export"), capability="view_registry", order=71)

from trainhub.exchange import views  # noqa: E402,F401
