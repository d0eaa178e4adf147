"""The reports blueprint, its capability, menu entry, API reports and command."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from trainhub.accounts.permissions import define_capability
from trainhub.navigation import add_nav_item

# cli_group=None: the blueprint's command is `flask report`, not `flask reports report`.
bp = Blueprint("reports", __name__, url_prefix="/reports", cli_group=None)


def init_app(app) -> None:
    """Attach the report pages, API reports and command, and register the blueprint."""
    from trainhub.reports import api, cli, views  # noqa: F401  (they attach to bp and the API)

    # Read-only reports: every unit role, inspectors included, and school administrators for their school.
    define_capability("view_reports", {"province_admin", "prefecture_admin", "county_officer", "school_admin",
                                       "inspector"})
    add_nav_item("reports.index", _l("Reports"), capability="view_reports", order=60)
    app.register_blueprint(bp)
