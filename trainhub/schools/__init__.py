from flask import Blueprint
from flask_babel import lazy_gettext as _l

from trainhub.navigation import add_nav_item

bp = Blueprint("schools", __name__, url_prefix="/schools")
add_nav_item("schools.index", _l("Schools"), capability="view_registry", order=20)

from trainhub.schools import views  # noqa: E402,F401
