from flask import Blueprint
from flask_babel import lazy_gettext as _l

from trainhub.navigation import add_nav_item

bp = Blueprint("dashboard", __name__)
add_nav_item("dashboard.index", _l("Dashboard"), order=10)

from trainhub.dashboard import views  # noqa: E402,F401
