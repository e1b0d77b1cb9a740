import datetime

import pytest

from fangkong.lib import idnumber

TODAY = datetime.date(2022, 11, 28)


def test_valid_number_gives_birth_date_sex_and_region():
    facts = idnumber.parse(idnumber.make("140602", datetime.date(1985, 3, 12), 21), TODAY)
    assert facts.birth_date == datetime.date(1985, 3, 12)
    assert facts.sex == "male"
    assert facts.region_code == "140602"


def test_lowercase_x_check_character_is_accepted_and_stored_upper():
    number = next(idnumber.make("140602", datetime.date(1970, 1, 1), n) for n in range(1, 999)
                  if idnumber.make("140602", datetime.date(1970, 1, 1), n).endswith("X"))
    facts = idnumber.parse(number.lower(), TODAY)
    assert facts.number == number
    assert facts.number.endswith("X")


def test_wrong_check_character_is_refused():
    number = idnumber.make("140602", datetime.date(1985, 3, 12), 21)
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    with pytest.raises(idnumber.IdNumberError) as error:
        idnumber.parse(wrong, TODAY)
    assert error.value.code == "checksum"


@pytest.mark.parametrize("birth", ["19850230", "19851301"])
def test_impossible_birth_date_is_refused(birth):
    first17 = f"140602{birth}021"
    with pytest.raises(idnumber.IdNumberError) as error:
        idnumber.parse(first17 + idnumber.check_character(first17), TODAY)
    assert error.value.code == "birth_date"


def test_birth_date_in_the_future_is_refused():
    number = idnumber.make("140602", datetime.date(2023, 1, 1), 21)
    with pytest.raises(idnumber.IdNumberError) as error:
        idnumber.parse(number, TODAY)
    assert error.value.code == "birth_date"


def test_region_code_that_never_existed_is_refused():
    number = idnumber.make("149999", datetime.date(1985, 3, 12), 21)
    with pytest.raises(idnumber.IdNumberError) as error:
        idnumber.parse(number, TODAY)
    assert error.value.code == "region"


def test_region_code_younger_than_its_holder_is_accepted():
    # 应县 has had 140622 since 1993; a resident born in 1980 carries it.
    facts = idnumber.parse(idnumber.make("140622", datetime.date(1980, 6, 1), 35), TODAY)
    assert facts.region_code == "140622"


def test_retired_region_code_is_accepted():
    # 怀仁县 140624 (until 2018) is still carried by older residents of 怀仁市.
    assert idnumber.parse(idnumber.make("140624", datetime.date(1960, 2, 2), 8), TODAY)
    assert idnumber.region_name("140624") == "怀仁县"
    assert idnumber.region_name("140681") == "怀仁市"


def test_fifteen_digit_legacy_number_is_refused_with_its_own_reason():
    with pytest.raises(idnumber.IdNumberError) as error:
        idnumber.parse("140602850312021", TODAY)
    assert error.value.code == "legacy_15"


@pytest.mark.parametrize("raw", ["", "1406021985", "14060219850312021A"])
def test_malformed_numbers_are_refused(raw):
    with pytest.raises(idnumber.IdNumberError):
        idnumber.parse(raw, TODAY)
