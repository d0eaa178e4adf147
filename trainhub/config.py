"""Settings: defaults, then the instance folder's config.py, then TRAINHUB_* environment variables."""
import os
import secrets
from pathlib import Path

DEFAULTS = {
    "SQLALCHEMY_DATABASE_URI": None,  # filled with an SQLite file in the instance folder
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "REDIS_URL": None,
    "BABEL_DEFAULT_LOCALE": "zh_CN",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
    "LANGUAGES": {"zh_CN": "中文", "en": "English"},
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,  # set TRAINHUB_SESSION_COOKIE_SECURE=1 behind HTTPS
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "PERMANENT_SESSION_LIFETIME": 8 * 3600,
    "WTF_CSRF_TIME_LIMIT": None,
    "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
    "PASSWORD_HASH_METHOD": "scrypt",
    "LOGIN_MAX_FAILURES": 5,
    "LOGIN_MAX_FAILURES_PER_ADDRESS": 30,  # across usernames, within LOGIN_LOCK_MINUTES
    "LOGIN_LOCK_MINUTES": 15,
    "PAGE_SIZE": 50,
    "STAFFING_TIME_LIMIT": 60,  # seconds an allocation run may search
    "BOOTSTRAP_SERVE_LOCAL": True,
}

# Environment variables read as TRAINHUB_<NAME>; the value parser per setting.
ENVIRONMENT = {
    "DATABASE_URL": ("SQLALCHEMY_DATABASE_URI", str),
    "SECRET_KEY": ("SECRET_KEY", str),
    "REDIS_URL": ("REDIS_URL", str),
    "SESSION_COOKIE_SECURE": ("SESSION_COOKIE_SECURE", lambda v: v.lower() in {"1", "true", "yes"}),
    "PAGE_SIZE": ("PAGE_SIZE", int),
}


def load_settings(app, overrides: dict | None) -> None:
    """Apply defaults, instance config, environment and overrides to app.config, in that order."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    for name, (key, parse) in ENVIRONMENT.items():
        value = os.environ.get(f"TRAINHUB_{name}")
        if value:
            app.config[key] = parse(value)
    if overrides:
        app.config.update(overrides)

    instance = Path(app.instance_path)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        instance.mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'trainhub.sqlite'}"
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgresql://"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://" + uri[len("postgresql://"):]
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        _plan_every_statement(app.config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(instance)


def _plan_every_statement(config) -> None:
    """Keep psycopg from preparing statements, so PostgreSQL plans each one for its parameters.

    A statement run five times on a connection is prepared; after five more runs PostgreSQL may
    keep one generic plan for it. The scope's criteria match unit paths with `LIKE $1 || '%'`,
    which a generic plan cannot estimate (it expects one unit in place of a prefecture's), and the
    quota report's grouped query went from about 0.1 s to over 20 s from its eleventh run on one
    connection. Web requests rarely got there, since a rollback drops a connection's prepared
    statements, but commands, jobs and benchmarks that run many queries between commits did.
    """
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    options["connect_args"] = {"prepare_threshold": None, **options.get("connect_args", {})}
    config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _instance_secret(instance: Path) -> str:
    """Return the secret key kept in the instance folder, creating it once."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()
