"""Chinese first, English complete: locale choice and message catalogs.

Each domain keeps its catalog in trainhub/translations/<domain>/; the catalogs are
compiled when the app starts if a .po file is newer than its .mo.
"""
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import current_app, session
from flask_babel import get_locale

from trainhub.extensions import babel

TRANSLATIONS = Path(__file__).resolve().parent / "translations"


def catalog_directories() -> list[Path]:
    return sorted(path for path in TRANSLATIONS.iterdir() if path.is_dir()) if TRANSLATIONS.exists() else []


def compile_catalogs() -> None:
    """Compile every .po catalog whose .mo is missing or older."""
    for po_path in TRANSLATIONS.glob("*/*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as handle:
            catalog = read_po(handle)
        with mo_path.open("wb") as handle:
            write_mo(handle, catalog)


def select_locale() -> str:
    """Return the language the user chose, else Chinese."""
    chosen = session.get("locale")
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def current_language() -> str:
    return str(get_locale() or "zh_CN")


def init_app(app) -> None:
    compile_catalogs()
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(str(path) for path in catalog_directories())
    babel.init_app(app, locale_selector=select_locale)

    @app.context_processor
    def _language():
        return {"current_language": current_language()}
