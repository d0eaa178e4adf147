"""TrainHub: teacher training and rural-school staffing for education bureaus."""
import importlib
from pathlib import Path

from flask import Flask

from trainhub.config import load_settings
from trainhub.extensions import babel, bootstrap, csrf, db, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent
# Each domain's blueprint module: its `init_app` declares the domain's capabilities, menu entries
# and import kinds, attaches its routes and commands, and registers the blueprint.
DOMAINS = (
    "trainhub.accounts.blueprint",
    "trainhub.dashboard.blueprint",
    "trainhub.schools.blueprint",
    "trainhub.teachers.blueprint",
    "trainhub.training.blueprint",
    "trainhub.staffing.blueprint",
    "trainhub.exchange.blueprint",
    "trainhub.api.blueprint",
    "trainhub.reports.blueprint",
)
# Packages whose models must be imported before the metadata is complete.
MODEL_MODULES = (
    "trainhub.schools.models",
    "trainhub.teachers.models",
    "trainhub.accounts.models",
    "trainhub.training.models",
    "trainhub.staffing.models",
    "trainhub.api.models",
)


def create_app(config: dict | None = None) -> Flask:
    """Build the app: defaults -> instance config -> TRAINHUB_* environment -> `config`."""
    app = Flask(__name__, template_folder=str(ROOT / "templates"), instance_relative_config=True)
    load_settings(app, config)

    _import_models()
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    bootstrap.init_app(app)

    from trainhub import i18n
    i18n.init_app(app)

    from trainhub import errors, navigation, security
    security.init_app(app)
    errors.init_app(app)
    navigation.init_app(app)

    for name in DOMAINS:
        importlib.import_module(name).init_app(app)

    from trainhub import cli
    cli.init_app(app)
    return app


def _import_models() -> None:
    for name in MODEL_MODULES:
        importlib.import_module(name)
