import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2022, 11, 21, 10, 0, tzinfo=SH)


@pytest.fixture(autouse=True)
def fresh_limits():
    """Rate limits live in the cache, which outlives a test."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def now():
    """21 Nov 2022, 10:00 in Shuozhou, standing still; `now.shift(...)` moves on."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def sent(caplog):
    """The codes sent so far, read from the console log as a person would in the demo."""
    caplog.set_level("WARNING", logger="fangkong.otp")

    def codes(phone):
        return [m.group(1) for r in caplog.records if r.name == "fangkong.otp"
                for m in [re.search(rf"{phone}: (\d{{6}})$", r.getMessage())] if m]

    return codes
