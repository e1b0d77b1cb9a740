"""Mainland resident ID numbers (居民身份证号码, GB 11643-1999).

python-stdnum checks length, format, the MOD 11-2 check character and the birth date. We
do not use its rule that the region code must have existed in the birth year: a number
keeps the code of its first registration, so residents carry codes younger than themselves.
"""

import datetime
from dataclasses import dataclass

from stdnum import numdb
from stdnum.cn import ric
from stdnum.exceptions import ValidationError


class IdNumberError(ValueError):
    """A refused ID number; `code` names the rule it broke."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class IdFacts:
    number: str
    region_code: str
    birth_date: datetime.date
    sex: str  # "male" or "female"


def region_name(code: str) -> str | None:
    """The county-level name for a six-digit code that exists or once existed, else None."""
    parts = numdb.get("cn/loc").info(code)
    if len(parts) < 2 or "county" not in parts[-1][1]:
        return None
    latest = parts[-1][1]["county"].split(",")[-1]
    return latest.split("]")[-1]


def check_character(first17: str) -> str:
    return ric.calc_check_digit(first17 + "0")


def parse(raw: str, today: datetime.date) -> IdFacts:
    number = ric.compact(raw or "")
    if len(number) == 15 and number.isdigit():
        raise IdNumberError("legacy_15")
    if len(number) != 18:
        raise IdNumberError("length")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise IdNumberError("format")
    if number[17] != ric.calc_check_digit(number):
        raise IdNumberError("checksum")
    try:
        birth = ric.get_birth_date(number)
    except ValidationError:
        raise IdNumberError("birth_date") from None
    if birth > today or birth.year < 1880:
        raise IdNumberError("birth_date")
    if region_name(number[:6]) is None:
        raise IdNumberError("region")
    sex = "male" if int(number[16]) % 2 else "female"
    return IdFacts(number=number, region_code=number[:6], birth_date=birth, sex=sex)


def make(region_code: str, birth: datetime.date, sequence: int) -> str:
    """Build a valid number (for the demo city and tests); odd sequence = male."""
    first17 = f"{region_code}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)
