"""Mainland mobile numbers: 11 digits starting 1[3-9]; +86, spaces and dashes are stripped."""

import re

_SEPARATORS = re.compile(r"[\s\-()]")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")


class PhoneError(ValueError):
    pass


def normalise(raw: str) -> str:
    number = _SEPARATORS.sub("", raw or "")
    for prefix in ("+86", "0086"):
        if number.startswith(prefix):
            number = number[len(prefix):]
    if not _MOBILE.match(number):
        raise PhoneError(raw)
    return number
