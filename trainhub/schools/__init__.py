from flask import Blueprint

bp = Blueprint("schools", __name__, url_prefix="/schools")

from trainhub.schools import views  # noqa: E402,F401
