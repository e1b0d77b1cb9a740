"""Mainland resident ID numbers (居民身份证号码, GB 11643-1999).

python-stdnum checks length, format, the MOD 11-2 check character and the birth date. We
do not use its rule that the region code must have existed in the birth year: a number
keeps the code of its first registration, so residents carry codes younger than themselves.
"""

import datetime
import functools
from dataclasses import dataclass

from stdnum import numdb
from stdnum.cn import ric


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


@functools.lru_cache(maxsize=8192)  # a city's residents share a few dozen region codes
def region_name(code: str) -> str | None:
    """The county-level name for a six-digit code that exists or once existed, else None."""
    parts = numdb.get("cn/loc").info(code)
    if len(parts) < 2 or "county" not in parts[-1][1]:
        return None
    latest = parts[-1][1]["county"].split(",")[-1]
    return latest.split("]")[-1]


@functools.lru_cache(maxsize=65536)
def _birth_date(digits: str) -> datetime.date | None:
    """YYYYMMDD as a date, None when no such day (`ric.get_birth_date` without the
    compact it repeats)."""
    try:
        return datetime.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None


def check_character(first17: str) -> str:
    return ric.calc_check_digit(first17 + "0")


def parse(raw: str, today: datetime.date) -> IdFacts:
    raw = raw or ""
    # ric.compact only maps non-ASCII look-alikes, so ASCII text needs just upper/strip.
    number = raw.upper().strip() if raw.isascii() else ric.compact(raw)
    if len(number) == 15 and number.isdigit():
        raise IdNumberError("legacy_15")
    if len(number) != 18:
        raise IdNumberError("length")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise IdNumberError("format")
    if number[17] != ric.calc_check_digit(number):
        raise IdNumberError("checksum")
    birth = _birth_date(number[6:14])
    if birth is None:
        raise IdNumberError("birth_date")
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
