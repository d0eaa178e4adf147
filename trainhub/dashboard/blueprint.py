"""The dashboard blueprint and its menu entry."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from trainhub.navigation import add_nav_item

bp = Blueprint("dashboard", __name__)


def init_app(app) -> None:
    """Attach the dashboard's routes, add its menu entry and register the blueprint."""
    from trainhub.dashboard import views  # noqa: F401  (routes attach to bp)

    add_nav_item("dashboard.index", _l("Dashboard"), order=10)
    app.register_blueprint(bp)
