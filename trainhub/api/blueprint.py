"""The API blueprint: its resources, its token command and its routes."""
from flask import Blueprint

from trainhub.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1", cli_group="api-token")
csrf.exempt(bp)  # no cookies are honoured here: every request carries its token


def init_app(app) -> None:
    """Attach the API's routes, resources and token command, and register the blueprint."""
    from trainhub.api import cli, registry_resources, views  # noqa: F401  (they attach to bp)

    app.register_blueprint(bp)
