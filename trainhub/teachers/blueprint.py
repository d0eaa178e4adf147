"""The teachers blueprint, its capability and its menu entry."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from trainhub.accounts.permissions import CAPABILITIES, define_capability
from trainhub.navigation import add_nav_item

bp = Blueprint("teachers", __name__, url_prefix="/teachers")


def init_app(app) -> None:
    """Attach the teacher pages, declare who may open them and register the blueprint."""
    from trainhub.teachers import views  # noqa: F401  (routes attach to bp)

    # Teachers may open their own record; the scope shows them nothing else.
    define_capability("view_teachers", CAPABILITIES["view_registry"] | {"teacher"})
    add_nav_item("teachers.index", _l("Teachers"), capability="view_registry", order=30)
    app.register_blueprint(bp)
