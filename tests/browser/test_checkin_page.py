"""A visitor scans a venue's poster on a phone: no login, ID number and phone, then a clear
confirmation with the venue; the page fits the phone's width."""

import pytest
from django.utils import translation

from fangkong.core.cast import build_cast
from fangkong.places.services import venue_create
from fangkong.tracing.models import CheckIn

pytestmark = pytest.mark.browser


def zh(message):
    with translation.override("zh-hans"):
        return str(translation.gettext(message))


@pytest.fixture
def city(transactional_db, profiles):
    return build_cast()


def no_horizontal_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_visitor_checks_in_by_id_number_on_a_phone(city, live_server, page, screenshot):
    venue = venue_create(acting_user=None, place=city.compound, name="开发区超市",
                         kind="supermarket")
    page.goto(f"{live_server.url}/tracing/c/{venue.code}/")
    assert page.viewport_size["width"] == 390
    assert "/login/" not in page.url
    assert venue.name in page.inner_text("#venue")
    assert no_horizontal_scroll(page)

    page.fill("#id_id_number", city.zhang.id_number)
    page.fill("#id_phone", "13900005678")  # not the phone the community has
    page.click("#check-in-id")
    page.wait_for_selector("#refusal")
    assert page.input_value("#id_id_number") == city.zhang.id_number
    screenshot("checkin_refused")

    page.fill("#id_phone", "13800001234")
    page.click("#check-in-id")
    page.wait_for_selector("#done")
    assert page.url.endswith(f"/tracing/c/{venue.code}/done/")
    assert zh("Checked in") in page.inner_text("#done")
    assert venue.name in page.inner_text("#done")
    assert no_horizontal_scroll(page)
    screenshot("checkin_done")
    assert CheckIn.objects.get().person == city.zhang
