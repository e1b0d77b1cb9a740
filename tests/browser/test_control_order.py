import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from fangkong.cases.models import Classification, Route
from fangkong.cases.services import case_report
from fangkong.control.models import ControlOrder, OrderStatus
from fangkong.core.cast import build_cast, build_outbreak
from tests.browser.test_registry_reveal import log_in

pytestmark = pytest.mark.browser
SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def city(transactional_db, profiles):
    cast = build_cast()
    o = build_outbreak(cast)
    cast.case = case_report(acting_user=cast.admin, person=cast.li, outbreak=o.outbreak,
                            classification=Classification.CONFIRMED, clinical_type="mild",
                            route=Route.COMMUNITY_SCREENING,
                            reported_at=datetime.datetime(2022, 11, 19, 10, tzinfo=SH))
    return cast


def record(page, day):
    page.click("#action-test summary")
    page.select_option("#id_test_day", day)
    page.check("#action-test input[value=negative]")
    page.click("#action-test button[type=submit]")
    page.wait_for_selector(f"#tests tr[data-day='{day}'][data-result=negative]")


def test_community_worker_places_a_close_contact_and_is_refused_an_early_release(
        city, live_server, page, screenshot, time_machine):
    log_in(page, live_server, "wangge")  # before travelling: the browser's clock is real
    time_machine.move_to(datetime.datetime(2022, 11, 22, 9, tzinfo=SH))

    page.goto(f"{live_server.url}/control/new/?q=张伟")
    page.click("#matches a:has-text('选择')")
    page.wait_for_selector("#order-form")
    assert city.zhang.id_number not in page.content()

    page.select_option("#id_basis", "contact")
    page.fill("#id_basis_case", city.case.number)
    page.fill("#id_starts_on", "2022-11-20")
    page.wait_for_load_state()  # htmx wires the form up once the page has loaded
    page.select_option("#id_plan_basis", "close-contact")
    for _ in range(3):  # a change htmx did not see yet sends no request: send it again
        try:
            page.wait_for_selector("#plan-phases tr[data-kind=home_isolation]", timeout=3000)
            break
        except PlaywrightTimeout:
            page.dispatch_event("#id_plan_basis", "change")
    page.wait_for_selector("#plan-phases tr[data-kind=home_isolation]")
    phases = page.inner_text("#plan-phases")
    assert "2022-11-20" in phases and "2022-11-24" in phases  # 5 days centralised
    assert "2022-11-25" in phases and "2022-11-27" in phases  # then 3 at home
    assert "二十条" in page.inner_text("#plan-rule")
    page.select_option("#id_plan_basis", "secondary-contact")  # abolished on 11 Nov
    page.wait_for_selector("#plan-refusal")
    page.select_option("#id_plan_basis", "close-contact")
    page.wait_for_selector("#plan-phases")
    page.click("#order-form button[type=submit]")

    page.wait_for_selector("#timeline tr[data-kind=created]")
    order = ControlOrder.objects.get(person=city.zhang)
    assert page.url.endswith(f"/control/{order.uuid}/")
    assert page.get_attribute("#colour [data-colour]", "data-colour") == "red"
    assert city.case.number in page.inner_text("#basis")
    for day in ("2022-11-20", "2022-11-21", "2022-11-22"):
        record(page, day)

    page.click("#action-release summary")
    verdict = page.inner_text("#release-verdict")
    assert "2022-11-24" in verdict and "二十条" in verdict  # shown before the attempt
    page.fill("#id_release_reason", "本人要求提前解除")
    page.click("#action-release button[type=submit]")
    page.wait_for_selector("#action-release[open] .errorlist")
    assert "2022-11-24" in page.inner_text("#action-release .errorlist")
    assert page.input_value("#id_release_reason") == "本人要求提前解除"
    assert ControlOrder.objects.get(pk=order.pk).status == OrderStatus.ACTIVE
    page.locator("#action-release").scroll_into_view_if_needed()
    screenshot("control_order")
