from flask import Blueprint

bp = Blueprint("staffing", __name__, url_prefix="/staffing")

from trainhub.staffing import views  # noqa: E402,F401
