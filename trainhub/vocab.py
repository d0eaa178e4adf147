"""Controlled vocabularies shared across domains: stored codes with translatable labels.

A vocabulary is either a dict {code: lazy label} or a `LabelledEnum`, the form for statuses and
kinds that code branches on: each member is its stored code and carries its label, so a status
is written once and templates compare with the member, never with a string.
"""
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice


class LabelledEnum(StrEnum):
    """A StrEnum whose members are written `NAME = "code", _l("Label")`.

    The member equals (and stores as) its code; `member.label` is its lazy label.
    """

    def __new__(cls, code: str, label=None):
        member = str.__new__(cls, code)
        member._value_ = code
        member._label = label if label is not None else code
        return member

    @property
    def label(self):
        return self._label

    @classmethod
    def vocabulary(cls) -> dict:
        """Return {code: lazy label}, in the order the members are written."""
        return {member.value: member.label for member in cls}

STAGES = {
    "kindergarten": _l("Kindergarten"),
    "primary": _l("Primary"),
    "junior": _l("Junior high"),
    "senior": _l("Senior high"),
}

LOCALITIES = {"urban": _l("Urban"), "town": _l("Town"), "rural": _l("Rural")}

SCHOOL_FLAGS = {
    "is_small_rural": _l("Small rural school"),
    "is_boarding": _l("Boarding school"),
    "is_relocation_site": _l("Relocation-site school"),
    "is_teaching_point": _l("Teaching point"),
}

UNIT_KINDS = {"province": _l("Province"), "prefecture": _l("Prefecture"), "county": _l("County")}

EMPLOYMENT_TYPES = {
    "regular": _l("Regular"),
    "special_post": _l("Special-post"),
    "support": _l("Support"),
    "silver_age": _l("Silver-age"),
    "substitute": _l("Substitute"),
}

DEGREES = {
    "secondary": _l("Secondary vocational"),
    "associate": _l("Associate degree"),
    "bachelor": _l("Bachelor's degree"),
    "master": _l("Master's degree"),
    "doctor": _l("Doctorate"),
}

TITLES = {
    "none": _l("No title"),
    "junior": _l("Junior title"),
    "intermediate": _l("Intermediate title"),
    "senior": _l("Senior title"),
    "full_senior": _l("Full senior title"),
}

KEY_TEACHER_LEVELS = {
    "none": _l("Not a key teacher"),
    "school": _l("School-level key teacher"),
    "county": _l("County-level key teacher"),
    "prefecture": _l("Prefecture-level key teacher"),
    "province": _l("Province-level key teacher"),
}

TEACHER_STATUSES = {"active": _l("Active"), "retired": _l("Retired"), "left": _l("Left")}

GENDERS = {"male": _l("Male"), "female": _l("Female")}


def _as_dict(vocabulary) -> dict:
    return vocabulary.vocabulary() if isinstance(vocabulary, type) and issubclass(vocabulary, LabelledEnum) \
        else vocabulary


def label(vocabulary, code: str | None) -> str:
    """Return the label of a code, or the code itself when it is unknown."""
    if code is None:
        return ""
    return str(_as_dict(vocabulary).get(code, code))


def labels(vocabulary) -> dict[str, str]:
    """Return {code: label} in the request's language, for a list that shows a label on every row.

    Each lazy label is translated once here instead of once per row.
    """
    return {code: str(text) for code, text in _as_dict(vocabulary).items()}


def choices(vocabulary) -> list[SelectChoice]:
    """Return a select field's options: one per code, its lazy label shown in each request's language.

    Safe in a form's class body: nothing is translated until the field is rendered.
    """
    return [SelectChoice(code, text) for code, text in _as_dict(vocabulary).items()]
