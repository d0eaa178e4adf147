"""The accounts blueprint: sign-in and sign-out, language, password."""
from flask import Blueprint

bp = Blueprint("accounts", __name__)


def init_app(app) -> None:
    """Attach the sign-in routes and register the blueprint."""
    from trainhub.accounts import views  # noqa: F401  (routes attach to bp)

    app.register_blueprint(bp)
