"""The training blueprint, its capabilities, menu entries, import kind and commands."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from trainhub.accounts.permissions import define_capability
from trainhub.navigation import add_nav_item

bp = Blueprint("training", __name__, url_prefix="/training")


def init_app(app) -> None:
    """Attach the training pages and commands, declare the capabilities and register the blueprint."""
    from trainhub.exchange.imports import register_kind
    from trainhub.training import cli, services, views  # noqa: F401  (routes and commands attach to bp)

    register_kind(services.COMPLETIONS)

    define_capability("view_training", {"province_admin", "prefecture_admin", "county_officer", "school_admin",
                                        "inspector"})
    # Organise programmes, split seats, nominate, approve, record attendance and results.
    define_capability("manage_training", {"province_admin", "prefecture_admin", "county_officer",
                                          "school_admin"})
    define_capability("set_training_targets", {"province_admin", "prefecture_admin"})
    define_capability("own_training", {"teacher"})
    # See one enrolment or certificate: staff within their reach, a teacher their own.
    define_capability("see_training", {"province_admin", "prefecture_admin", "county_officer", "school_admin",
                                       "inspector", "teacher"})
    add_nav_item("training.index", _l("Training"), capability="view_training", order=40)
    add_nav_item("training.my_training", _l("My training"), capability="own_training", order=40)
    app.register_blueprint(bp)
