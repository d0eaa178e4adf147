"""Resident ID numbers (GB 11643-1999): validation, derived facts, masking."""
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"


class InvalidIdNumber(ValueError):
    """The text is not a valid resident ID number; str() is a user-facing reason."""


@dataclass(frozen=True)
class IdNumber:
    value: str
    birth_date: date
    gender: str  # "male" or "female"

    @property
    def masked(self) -> str:
        return mask(self.value)


def check_character(first17: str) -> str:
    """Return the ISO 7064 MOD 11-2 check character for the first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS))
    return CHECK_CHARACTERS[total % 11]


def parse(text: str, *, allow_legacy: bool = False) -> IdNumber:
    """Validate an ID number and return it normalised with its birth date and gender.

    Raise InvalidIdNumber with the reason. Legacy 15-digit numbers (no check character,
    two-digit year in the 1900s) are accepted only with allow_legacy.
    """
    value = (text or "").strip().upper()
    if len(value) == 15 and allow_legacy:
        if not value.isdigit():
            raise InvalidIdNumber(_l("A 15-digit ID number must contain only digits."))
        birth = _birth_date("19" + value[6:12])
        return IdNumber(value, birth, "male" if int(value[14]) % 2 else "female")
    if len(value) != 18:
        raise InvalidIdNumber(_l("An ID number has 18 characters."))
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise InvalidIdNumber(_l("An ID number is 17 digits followed by a digit or X."))
    birth = _birth_date(value[6:14])
    if value[17] != check_character(value[:17]):
        raise InvalidIdNumber(_l("The check character of this ID number is wrong."))
    return IdNumber(value, birth, "male" if int(value[16]) % 2 else "female")


def _birth_date(digits: str) -> date:
    try:
        birth = date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise InvalidIdNumber(_l("The birth date in this ID number is not a real date.")) from None
    if birth.year < 1800 or birth > date.today():
        raise InvalidIdNumber(_l("The birth date in this ID number is out of range."))
    return birth


def mask(value: str | None) -> str:
    """Hide the birth date and sequence: keep the area code and the last four characters."""
    if not value:
        return ""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def make(area: str, birth: date, sequence: int) -> str:
    """Build a checksum-valid 18-character ID number (for demo data and tests)."""
    first17 = f"{area}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)
