"""Chinese first, English complete: locale choice and message catalogs.

Each domain keeps its catalog in trainhub/translations/<domain>/; the catalogs are
compiled when the app starts if a .po file is newer than its .mo.
"""
import os
from pathlib import Path

from babel import support
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import current_app, session
from flask_babel import Domain, get_locale

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
        # Write aside and rename, so a worker starting at the same moment never reads half a file.
        partial = mo_path.with_name(f"{mo_path.name}.{os.getpid()}.tmp")
        with partial.open("wb") as handle:
            write_mo(handle, catalog)
        os.replace(partial, mo_path)


def select_locale() -> str:
    """Return the language the user chose, else Chinese."""
    chosen = session.get("locale")
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def current_language() -> str:
    return str(get_locale() or "zh_CN")


class CatalogDomain(Domain):
    """The domains' catalogs merged, found under the plain locale name too.

    Babel names the locale zh_CN "zh_Hans_CN"; gettext alone would then never find the
    catalogs kept in zh_CN/ folders and every page would stay in English.
    """

    def get_translations(self):
        locale = get_locale()
        if locale is None:
            return support.NullTranslations()
        key = str(locale)
        if key not in self.cache:
            plain = "_".join(part for part in (locale.language, locale.territory) if part)
            names = list(dict.fromkeys([key, plain, locale.language]))
            translations = support.Translations()
            for directory in self.translation_directories:
                translations.merge(support.Translations.load(directory, names, self.domain[0]))
            self.cache[key] = translations
        return self.cache[key]


def init_app(app) -> None:
    compile_catalogs()
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(str(path) for path in catalog_directories())
    babel.init_app(app, locale_selector=select_locale)
    babel.domain_instance = CatalogDomain()

    @app.context_processor
    def _language():
        return {"current_language": current_language()}
