"""The schools blueprint and its menu entry."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from trainhub.navigation import add_nav_item

bp = Blueprint("schools", __name__, url_prefix="/schools")


def init_app(app) -> None:
    """Attach the school pages, add their menu entry and register the blueprint."""
    from trainhub.schools import views  # noqa: F401  (routes attach to bp)

    add_nav_item("schools.index", _l("Schools"), capability="view_registry", order=20)
    app.register_blueprint(bp)
