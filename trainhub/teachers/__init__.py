from flask import Blueprint

bp = Blueprint("teachers", __name__, url_prefix="/teachers")

from trainhub.teachers import views  # noqa: E402,F401
