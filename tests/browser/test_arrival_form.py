"""A traveller registers on a phone: no login, the origin and destination cascades, a fault
shown on its field, then the requirement in plain words with its rule."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from fangkong.arrivals.models import ArrivalRegistration
from fangkong.arrivals.wording import day_list
from fangkong.core.cast import build_cast
from fangkong.lib import idnumber

pytestmark = pytest.mark.browser
SH = ZoneInfo("Asia/Shanghai")


def zh(message):
    with translation.override("zh-hans"):
        return str(translation.gettext(message))


@pytest.fixture
def city(transactional_db, profiles):
    with time_machine.travel(datetime.datetime(2022, 11, 22, 8, tzinfo=SH), tick=True):
        yield build_cast()


def pick(page, select, label, then=None):
    """Choose `label` in `select`; `then`: the select the choice brings by htmx. A change fired
    on a select that htmx has not wired up yet (swapped in a moment ago) sends nothing, so the
    change is sent again until the next select shows, as a person would pick again."""
    page.wait_for_selector(f"{select} option:has-text('{label}')", state="attached")
    page.select_option(select, label=label)
    if then is None:
        return
    for _ in range(5):
        try:
            page.wait_for_selector(f"{then} option:not([value=''])", state="attached",
                                   timeout=2000)
            return
        except PlaywrightTimeout:
            page.dispatch_event(select, "change")
    raise AssertionError(f"nothing came after {label}")


def test_a_traveller_registers_on_a_phone_and_sees_the_tests_asked(city, live_server, page,
                                                                    screenshot):
    traveller = idnumber.make("110105", datetime.date(1992, 4, 8), 17)
    page.goto(f"{live_server.url}/arrivals/")
    assert page.viewport_size["width"] == 390
    assert "/login/" not in page.url

    page.fill("#id_name", "孙悟")
    page.fill("#id_id_number", traveller)
    page.fill("#id_phone", "1351234")  # too short
    pick(page, "#id_origin_province", "北京市", then="#id_origin_city")
    pick(page, "#id_origin_city", "市辖区", then="#id_origin_county")
    pick(page, "#id_origin_county", "朝阳区")
    page.fill("#id_arrival_at", "2022-11-22T10:00")
    page.select_option("#id_transport", "train")
    page.fill("#id_transport_number", "G601")
    for depth, name in enumerate(["朔城区", "北城街道", "文远社区", "开发区小区", "2号楼", "1单元",
                                  "201"]):
        pick(page, f"#id_dest_{depth}", name,
             then=None if name == "201" else f"#id_dest_{depth + 1}")
    page.click("#register")

    page.wait_for_selector("#field-phone .errorlist")
    assert zh("Enter an 11-digit mainland mobile number.") in page.inner_text("#field-phone")
    assert page.input_value("#id_name") == "孙悟"
    assert page.input_value("#id_origin_county") == "110105"
    assert page.locator("#id_dest_6 option:checked").inner_text() == "201"
    assert not ArrivalRegistration.objects.exists()

    page.fill("#id_phone", "13512345678")
    screenshot("arrival_form")
    page.click("#register")

    page.wait_for_selector("#requirement")
    requirement = page.inner_text("#requirement")
    with translation.override("zh-hans"):
        dates = day_list([datetime.date(2022, 11, d) for d in (22, 23, 24)])
        sentence = translation.gettext(
            "Within %(days)s days of arrival, take %(count)s PCR tests: %(dates)s") % {
            "days": 3, "count": 3, "dates": dates}
    assert sentence in requirement
    assert "3天3检" in requirement and "朔州市新冠肺炎疫情防控通告" in requirement
    assert "文远社区 开发区小区 2号楼 1单元 201" in page.inner_text("main")
    assert traveller not in page.content()
    registration = ArrivalRegistration.objects.get()
    assert registration.household == city.h201 and registration.origin_code == "110105"
    screenshot("arrival_done")
