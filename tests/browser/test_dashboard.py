import pytest

from fangkong.core.cast import build_cast, build_outbreak
from fangkong.reports.tests.test_dashboard import RT_COUNTS, build_rt_outbreak
from tests.browser.test_registry_reveal import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def city(transactional_db, profiles):
    return build_rt_outbreak(build_outbreak(build_cast()))


def test_command_user_reads_the_dashboard_on_a_phone(city, live_server, page, screenshot):
    log_in(page, live_server, "zhihui")
    page.goto(f"{live_server.url}/reports/dashboard/?date=2022-11-24")
    page.wait_for_selector("#curve-chart[data-rendered] canvas")
    page.wait_for_selector("#rt-chart[data-rendered] canvas")

    figures = {page.get_attribute(f"#headline [data-bucket={b}]", "data-bucket"):
               page.inner_text(f"#headline [data-bucket={b}] b")
               for b in ("new_confirmed", "confirmed", "asymptomatic", "new_community")}
    assert sum(RT_COUNTS) == 47
    assert figures["confirmed"] == "13"  # every fourth of the 47 local cases, and the import
    assert figures["asymptomatic"] == "35"
    assert figures["new_confirmed"] == "1"  # the 45th local case, reported on the 24th
    assert figures["new_community"] == "2"
    assert "R(t)" in page.inner_text("#rt")
    hospital = page.locator(f"#occupancy [data-facility='{city.hospital.uuid}']")
    assert "100%" in hospital.inner_text()

    # The curve's canvas fills the phone's width and the toggle redraws it.
    box = page.locator("#curve-chart canvas").first.bounding_box()
    assert box["width"] > 300
    page.click("[data-curve=control]")
    assert page.get_attribute("[data-curve=control]", "aria-pressed") == "true"

    page.click("[data-curve=classification]")
    screenshot("dashboard")

    # Picking a district reloads the page for it.
    page.select_option("#id_district", label="应县")
    page.wait_for_url("**district=*")
    assert page.inner_text("#headline [data-bucket=confirmed] b") == "0"
