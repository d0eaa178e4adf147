"""The staffing blueprint, its capabilities, menu entries, template filter and commands."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from trainhub.accounts.permissions import define_capability
from trainhub.navigation import add_nav_item

bp = Blueprint("staffing", __name__, url_prefix="/staffing")

OFFICERS = {"province_admin", "prefecture_admin", "county_officer"}


def init_app(app) -> None:
    """Attach the staffing pages and commands, declare the capabilities and register the blueprint."""
    from trainhub.staffing import commands, reasons, views  # noqa: F401  (routes and commands attach to bp)

    # Shortages and posts: a school administrator sees their own school's (the scope does the rest).
    define_capability("view_staffing", OFFICERS | {"inspector", "school_admin"})
    define_capability("view_allocations", OFFICERS | {"inspector"})
    define_capability("manage_staffing", OFFICERS)
    define_capability("approve_runs", OFFICERS)
    define_capability("edit_norms", {"province_admin"})
    define_capability("view_postings", OFFICERS | {"inspector", "school_admin", "teacher"})
    add_nav_item("staffing.shortages", _l("Staffing"), capability="view_staffing", order=40)
    add_nav_item("staffing.runs", _l("Allocation runs"), capability="view_allocations", order=41)
    add_nav_item("staffing.postings", _l("Postings"), capability="view_postings", order=42)
    app.add_template_filter(reasons.engine_label, "engine_label")
    app.register_blueprint(bp)
