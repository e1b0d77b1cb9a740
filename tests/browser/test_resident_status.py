"""A resident on a phone: asks for a code, reads it (from the console, as in the demo), signs
in, sees their status with its rule and dates, and reports a health check."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache

from fangkong.control.models import HealthCheck
from fangkong.core.cast import build_cast, build_outbreak
from fangkong.residents.tests.util import LI_PHONE, contact_order

pytestmark = pytest.mark.browser
SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def november(settings):
    """21 Nov 2022 in Shuozhou, the clock running. Cookies carry no expiry date here: the
    browser lives in the real present and would drop cookies that expired in 2022."""
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.CSRF_COOKIE_AGE = None
    with time_machine.travel(datetime.datetime(2022, 11, 21, 9, 30, tzinfo=SH), tick=True):
        yield


@pytest.fixture
def city(transactional_db, profiles, november):
    cache.clear()
    cast = build_cast()
    outbreak = build_outbreak(cast)
    cast.order = contact_order(outbreak, cast.li)
    yield cast
    cache.clear()


def sent_code(caplog, phone):
    codes = [m.group(1) for r in caplog.records if r.name == "fangkong.otp"
             for m in [re.search(rf"{phone}: (\d{{6}})$", r.getMessage())] if m]
    assert codes, "no code reached the console"
    return codes[-1]


def test_a_resident_signs_in_sees_their_status_and_reports_a_check(city, live_server, page,
                                                                  screenshot, caplog):
    caplog.set_level("WARNING", logger="fangkong.otp")
    page.goto(f"{live_server.url}/me/sign-in/")
    page.fill("#id_phone", "139 0000 5678")
    page.click("#phone-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/me/sign-in/code/")
    assert "139****5678" in page.inner_text("main")

    page.fill("#id_code", sent_code(caplog, LI_PHONE))
    page.click("#code-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/me/")

    assert page.get_attribute("#colour", "data-colour") == "red"
    order = page.inner_text(f"#order-{city.order.uuid}")
    assert "2022-11-20" in order and "2022-11-24" in order and city.order.rule in order
    assert "赵强" not in page.content()
    assert page.locator(f"#order-{city.order.uuid} li.today").inner_text().startswith("11-21")

    page.fill("#id_temperature", "37.4")
    page.check("#field-symptoms input[value=dry_cough]")
    page.click("#health-check button[type=submit]")
    page.wait_for_selector(f"#order-{city.order.uuid} ul.checks")
    assert "37.4 °C" in page.inner_text(f"#order-{city.order.uuid} ul.checks")
    check = HealthCheck.objects.get(order=city.order)
    assert check.by_self and check.symptoms == ["dry_cough"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    screenshot("resident_status")
