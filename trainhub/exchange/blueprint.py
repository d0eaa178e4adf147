"""The exchange blueprint, the registry's import kinds and the menu entries."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from trainhub.navigation import add_nav_item

bp = Blueprint("exchange", __name__)


def init_app(app) -> None:
    """Attach the import and export pages, offer the registry's kinds and register the blueprint."""
    from trainhub.exchange import imports, views  # noqa: F401  (routes attach to bp)

    imports.register_registry_kinds()
    add_nav_item("exchange.imports", _l("Import"), capability="edit_registry", order=70)
    add_nav_item("exchange.exports_page", _l("Export"), capability="view_registry", order=71)
    app.register_blueprint(bp)
