"""Every string shown to users has a Chinese translation."""
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from trainhub.i18n import TRANSLATIONS

ROOT = Path(__file__).resolve().parent.parent
METHOD_MAP = [("trainhub/**.py", "python"), ("templates/**.html", "jinja2")]
OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.do"}}


def _extracted():
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), METHOD_MAP, options_map=OPTIONS, keywords={"_": None, "_l": None, "gettext": None,
                                                             "lazy_gettext": None, "ngettext": (1, 2)}
    ):
        if filename.startswith(("allocation", "tests", "migrations")):
            continue
        yield filename, lineno, message[0] if isinstance(message, tuple) else message


def _translated() -> dict[str, str]:
    merged = {}
    for po_path in TRANSLATIONS.glob("*/zh_CN/LC_MESSAGES/messages.po"):
        with po_path.open("rb") as handle:
            for message in read_po(handle):
                if message.id and message.string:
                    key = message.id[0] if isinstance(message.id, tuple) else message.id
                    merged[key] = message.string
    return merged


def test_every_message_has_a_chinese_translation():
    translated = _translated()
    missing = sorted({f"{name}:{line}: {message!r}" for name, line, message in _extracted()
                      if message not in translated})
    assert not missing, "missing zh_CN translations:\n" + "\n".join(missing)


def test_catalogs_have_no_fuzzy_entries():
    fuzzy = []
    for po_path in TRANSLATIONS.glob("*/zh_CN/LC_MESSAGES/messages.po"):
        with po_path.open("rb") as handle:
            fuzzy += [f"{po_path.parent.parent.parent.name}: {m.id!r}" for m in read_po(handle) if m.id and m.fuzzy]
    assert not fuzzy


def test_catalogs_agree_on_shared_messages():
    """Catalogs are merged at run time, so one English text must mean one thing everywhere."""
    seen: dict[str, tuple[str, str]] = {}
    conflicts = []
    for po_path in sorted(TRANSLATIONS.glob("*/zh_CN/LC_MESSAGES/messages.po")):
        domain = po_path.parent.parent.parent.name
        with po_path.open("rb") as handle:
            for message in read_po(handle):
                if not message.id or not message.string:
                    continue
                key = message.id[0] if isinstance(message.id, tuple) else message.id
                text = message.string[0] if isinstance(message.string, tuple) else message.string
                if key in seen and seen[key][1] != text:
                    conflicts.append(f"{key!r}: {seen[key][0]}={seen[key][1]!r} but {domain}={text!r}")
                seen.setdefault(key, (domain, text))
    assert not conflicts, "give these messages distinct English texts:\n" + "\n".join(conflicts)


def test_a_labelled_enum_member_is_its_code_and_carries_its_label(app):
    from flask_babel import lazy_gettext as _l

    from trainhub.vocab import LabelledEnum, choices, label

    class Colour(LabelledEnum):
        RED = "red", _l("Red")
        BLUE = "blue", _l("Blue")

    assert Colour.RED == "red" and Colour("blue") is Colour.BLUE
    with app.test_request_context():
        assert str(Colour.RED.label) == "Red"
        assert label(Colour, "blue") == "Blue" and label(Colour, "green") == "green"
        assert [choice.value for choice in choices(Colour)] == ["red", "blue"]
