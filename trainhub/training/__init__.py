from flask import Blueprint

bp = Blueprint("training", __name__, url_prefix="/training")

from trainhub.training import views  # noqa: E402,F401
