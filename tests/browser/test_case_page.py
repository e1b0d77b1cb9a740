import datetime
from zoneinfo import ZoneInfo

import pytest

from fangkong.cases.models import Case, Classification, Route
from fangkong.cases.services import case_report
from fangkong.core.cast import build_cast, build_outbreak
from tests.browser.test_registry_reveal import log_in

pytestmark = pytest.mark.browser
SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def city(transactional_db, profiles):
    cast = build_cast()
    o = build_outbreak(cast)
    for person, day, classification in ((cast.zhang, 14, Classification.ASYMPTOMATIC),
                                        (cast.li, 15, Classification.CONFIRMED),
                                        (cast.liu, 16, Classification.CONFIRMED)):
        case_report(acting_user=cast.admin, person=person, outbreak=o.outbreak,
                    classification=classification, route=Route.COMMUNITY_SCREENING,
                    clinical_type="mild" if classification == Classification.CONFIRMED else "",
                    reported_at=datetime.datetime(2022, 11, day, 10, tzinfo=SH))
    return cast


def test_district_user_reclassifies_a_case_from_the_register(city, live_server, page,
                                                             screenshot):
    log_in(page, live_server, "quxian")
    page.goto(f"{live_server.url}/cases/")
    register = page.inner_text("#cases")
    assert "张伟" in register and "李娜" in register
    assert "刘洋" not in register  # 应县 is another district
    assert city.zhang.id_number not in page.content()

    page.click("#cases a:has-text('张伟')")
    page.wait_for_selector("#timeline")
    page.click("#action-reclassify summary")
    page.fill("#id_reclassify_at", "2022-11-20T09:30")
    page.select_option("#id_reclassify_clinical_type", "moderate")
    page.fill("#id_reclassify_reason", "胸部CT示肺炎")
    page.click("#action-reclassify button[type=submit]")

    page.wait_for_selector("#timeline tr[data-kind=reclassified]")
    event = page.inner_text("#timeline tr[data-kind=reclassified]")
    assert "2022-11-20 09:30" in event and "胸部CT示肺炎" in event and "quxian" in event
    assert page.locator("#action-reclassify").count() == 0
    assert page.locator("#action-discharge").count() == 1  # now a confirmed case
    case = Case.objects.get(person=city.zhang)
    assert case.classification == Classification.CONFIRMED and case.clinical_type == "moderate"
    screenshot("case_page")
