"""The read-only JSON API at /api/v1: bearer tokens, the web's unit scoping, paginated resources."""
from flask import Blueprint

from trainhub.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1", cli_group="api-token")
csrf.exempt(bp)  # no cookies are honoured here: every request carries its token

from trainhub.api import cli, registry_resources, views  # noqa: E402,F401
