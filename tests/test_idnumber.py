from datetime import date

import pytest

from trainhub.idnumber import InvalidIdNumber, check_character, make, mask, parse


@pytest.mark.parametrize("value, birth, gender", [
    ("11010519491231002X", date(1949, 12, 31), "female"),
    ("440524188001010014", date(1880, 1, 1), "male"),
    ("11010519491231002x", date(1949, 12, 31), "female"),
])
def test_valid_numbers_give_birth_date_and_gender(value, birth, gender):
    parsed = parse(value)
    assert parsed.value == value.upper()
    assert parsed.birth_date == birth
    assert parsed.gender == gender


@pytest.mark.parametrize("value", [
    "110105194912310021",   # wrong check character
    "11010519491331002X",   # month 13
    "1101051949123100",     # too short
    "11010519491231002Y",   # not a check character
    "",
    "A1010519491231002X",
])
def test_invalid_numbers_are_refused(value):
    with pytest.raises(InvalidIdNumber):
        parse(value)


def test_legacy_fifteen_digit_numbers_only_when_allowed():
    with pytest.raises(InvalidIdNumber):
        parse("110105491231002")
    assert parse("110105491231002", allow_legacy=True).birth_date == date(1949, 12, 31)


def test_made_numbers_are_valid_and_masking_hides_the_birth_date():
    value = make("622921", date(1990, 5, 17), 123)
    assert parse(value).birth_date == date(1990, 5, 17)
    assert check_character(value[:17]) == value[17]
    assert mask(value) == "622921********" + value[-4:]
    assert "19900517" not in mask(value)
