"""A tracer works an investigation on a phone: opens it from the list, confirms the proposed
household contact and sees them listed as confirmed and under control, then in the contacts
list; the pages fit the phone's width."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from fangkong.cases.models import Classification, Route
from fangkong.cases.services import case_report
from fangkong.control.models import ControlOrder
from fangkong.core.cast import build_cast, build_outbreak
from fangkong.tracing import services
from fangkong.tracing.models import Contact, ContactStatus
from tests.browser.test_registry_reveal import log_in

pytestmark = pytest.mark.browser
SH = ZoneInfo("Asia/Shanghai")


def zh(message):
    with translation.override("zh-hans"):
        return str(translation.gettext(message))


def no_horizontal_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture
def city(transactional_db, profiles):
    """张伟's case, worked by liudiao's team; his wife 李娜 is proposed as a household
    contact."""
    cast = build_cast()
    o = build_outbreak(cast)
    services.team_create(acting_user=cast.admin, name="追阳一队", place=cast.shuocheng,
                         members=[cast.liudiao])
    cast.case = case_report(acting_user=cast.admin, person=cast.zhang, outbreak=o.outbreak,
                            classification=Classification.ASYMPTOMATIC,
                            route=Route.COMMUNITY_SCREENING,
                            reported_at=datetime.datetime(2022, 11, 14, 10, tzinfo=SH))
    cast.contact = Contact.objects.get(case=cast.case, person=cast.li)
    return cast


def test_a_tracer_confirms_a_household_contact_on_a_phone(city, live_server, page, screenshot):
    log_in(page, live_server, "liudiao")
    page.goto(f"{live_server.url}/tracing/investigations/")
    assert page.viewport_size["width"] == 390
    page.click(f"#investigations a:has-text('{city.case.number}')")
    page.wait_for_selector("#contacts-proposed")
    assert no_horizontal_scroll(page)
    card = f"#contact-{city.contact.uuid}"
    assert "李娜" in page.inner_text(f"#contacts-proposed {card}")
    screenshot("investigation_proposed")

    page.click(f"{card} button.confirm")
    page.wait_for_selector(f"#contacts-confirmed {card}")
    confirmed = page.inner_text(f"#contacts-confirmed {card}")
    assert "李娜" in confirmed
    assert zh("Centralised isolation") in confirmed or zh("Home isolation") in confirmed
    assert page.locator(f"#contacts-proposed {card}").count() == 0
    assert no_horizontal_scroll(page)
    screenshot("investigation_confirmed")

    page.goto(f"{live_server.url}/tracing/contacts/")
    assert "李娜" in page.inner_text(f"#contact-list tr[data-contact='{city.contact.uuid}']")
    assert no_horizontal_scroll(page)
    screenshot("contacts_list")

    contact = Contact.objects.get(pk=city.contact.pk)
    assert contact.status == ContactStatus.CONFIRMED
    assert ControlOrder.objects.get(person=city.li).basis == "contact"
