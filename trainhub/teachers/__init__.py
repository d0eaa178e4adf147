from flask import Blueprint
from flask_babel import lazy_gettext as _l

from trainhub.navigation import add_nav_item

bp = Blueprint("teachers", __name__, url_prefix="/teachers")


@bp.record_once
def _define_capabilities(state) -> None:
    from trainhub.accounts.permissions import CAPABILITIES, define_capability

    # Teachers may open their own record; the scope shows them nothing else.
    define_capability("view_teachers", CAPABILITIES["view_registry"] | {"teacher"})


add_nav_item("teachers.index", _l("Teachers"), capability="view_registry", order=30)

from trainhub.teachers import views  # noqa: E402,F401
