"""The bulletin's figures: identities, reclassification day, stability, scope."""

import datetime

import pytest

from fangkong.cases import services
from fangkong.cases.tests.util import at, passing_tests, report
from fangkong.lib import idnumber
from fangkong.people.services import person_create
from fangkong.reports.bulletin import bulletin

pytestmark = pytest.mark.django_db

NOV = {d: datetime.date(2022, 11, d) for d in range(13, 31)}


@pytest.fixture
def course(outbreak):
    """Five cases: zhang asymptomatic → confirmed on the 16th; li asymptomatic released on the
    20th; wang confirmed discharged on the 21st; zhao asymptomatic under observation; liu (应县)
    confirmed, died on the 22nd."""
    c, admin = outbreak.cast, outbreak.cast.admin
    zhang = report(outbreak, c.zhang, day=14, route="community_screening")
    li = report(outbreak, c.li, day=14, route="home_control")
    wang = report(outbreak, c.wang, "confirmed", day=15, route="centralised_isolation")
    report(outbreak, c.zhao, day=16, hour=23, route="high_risk_area")
    liu = report(outbreak, c.liu, "confirmed", day=16, route="fever_clinic")
    services.case_reclassify(acting_user=admin, case=zhang, at=at(16, 9), clinical_type="mild")
    passing_tests(li, 18, admin)
    services.case_release(acting_user=admin, case=li, at=at(20))
    passing_tests(wang, 19, admin)
    services.case_discharge(acting_user=admin, case=wang, at=at(21))
    services.case_die(acting_user=admin, case=liu, at=at(22), reason="multi-organ failure")
    return outbreak


def identities_hold(b):
    return (b["cumulative"]["confirmed"] == b["discharged"] + b["in_hospital"] + b["deaths"]
            and b["cumulative"]["asymptomatic"] == b["released"] + b["under_observation"])


@pytest.mark.parametrize("day", range(13, 25))
def test_cumulative_figures_equal_their_parts_on_every_day(course, day):
    b = bulletin(course.cast.admin, NOV[day], course.outbreak)
    assert identities_hold(b)
    for row in b["cumulative"]["by_district"].values():
        assert row["confirmed"] == row["discharged"] + row["in_hospital"] + row["deaths"]
        assert row["asymptomatic"] == row["released"] + row["under_observation"]


def test_the_figures_of_the_last_day(course):
    b = bulletin(course.cast.admin, NOV[28], course.outbreak)
    assert b["cumulative"]["confirmed"] == 3  # wang, liu, zhang (reclassified)
    assert b["cumulative"]["asymptomatic"] == 2  # li, zhao
    assert (b["discharged"], b["released"], b["deaths"]) == (1, 1, 1)
    assert (b["in_hospital"], b["under_observation"]) == (1, 1)
    assert b["cumulative"]["by_district"]["应县"]["confirmed"] == 1
    assert b["cumulative"]["by_district"]["朔城区"] == {
        "confirmed": 2, "asymptomatic": 2, "discharged": 1, "released": 1, "in_hospital": 1,
        "under_observation": 1, "deaths": 0}


def test_a_reclassification_moves_the_person_on_its_day(course):
    before = bulletin(course.cast.admin, NOV[15], course.outbreak)
    on_day = bulletin(course.cast.admin, NOV[16], course.outbreak)
    assert (before["cumulative"]["confirmed"], before["cumulative"]["asymptomatic"]) == (1, 2)
    assert (on_day["cumulative"]["confirmed"], on_day["cumulative"]["asymptomatic"]) == (3, 2)
    assert on_day["new"]["confirmed"] == 2  # liu reported confirmed + zhang reclassified
    assert on_day["new"]["reclassified"] == 1
    assert on_day["new"]["asymptomatic"] == 1  # zhao
    assert on_day["new"]["by_district"]["朔城区"]["reclassified"] == 1


def test_new_infections_split_under_control_and_community(course):
    b14 = bulletin(course.cast.admin, NOV[14], course.outbreak)
    assert (b14["new"]["in_control"], b14["new"]["community"]) == (1, 1)
    b16 = bulletin(course.cast.admin, NOV[16], course.outbreak)
    # reclassified zhang is not a new infection; zhao (high-risk area) and liu (fever clinic) are
    assert (b16["new"]["in_control"], b16["new"]["community"]) == (1, 1)
    assert b16["new"]["by_district"]["应县"]["community"] == 1


def test_a_report_late_in_the_evening_counts_on_that_local_day(course):
    """zhao was reported at 23:00 Beijing time on the 16th, 15:00 UTC."""
    assert bulletin(course.cast.admin, NOV[16], course.outbreak)["new"]["asymptomatic"] == 1
    assert bulletin(course.cast.admin, NOV[17], course.outbreak)["new"]["asymptomatic"] == 0


def test_a_past_bulletin_does_not_change_when_later_facts_arrive(course):
    admin, cast = course.cast.admin, course.cast
    before = bulletin(admin, NOV[18], course.outbreak)
    zhao = cast.zhao.cases.get()
    services.case_reclassify(acting_user=admin, case=zhao, at=at(23), clinical_type="mild")
    passing_tests(zhao, 24, admin)
    services.case_discharge(acting_user=admin, case=zhao, at=at(26))
    newcomer = person_create(acting_user=admin, name="孙丽", household=cast.h201,
                             id_number=idnumber.make("140602", datetime.date(1995, 2, 2), 17))
    report(course, newcomer, "confirmed", day=25)
    assert bulletin(admin, NOV[18], course.outbreak) == before
    after = bulletin(admin, NOV[26], course.outbreak)
    assert after["cumulative"]["confirmed"] == before["cumulative"]["confirmed"] + 2
    assert identities_hold(after)


def test_a_district_users_bulletin_covers_only_their_district(course):
    city = bulletin(course.cast.admin, NOV[28], course.outbreak)
    shuocheng = bulletin(course.cast.quxian, NOV[28], course.outbreak)
    yingxian = bulletin(course.cast.yingxianqu, NOV[28], course.outbreak)
    assert list(shuocheng["cumulative"]["by_district"]) == ["朔城区"]
    assert list(yingxian["cumulative"]["by_district"]) == ["应县"]
    for key in ("confirmed", "asymptomatic"):
        assert (shuocheng["cumulative"][key] + yingxian["cumulative"][key]
                == city["cumulative"][key])
    assert (yingxian["deaths"], shuocheng["deaths"]) == (1, 0)


def test_a_community_worker_sees_their_community_and_no_one_else(course):
    b = bulletin(course.cast.wangge2, NOV[28], course.outbreak)  # 新建社区: zhao only
    assert (b["cumulative"]["confirmed"], b["cumulative"]["asymptomatic"]) == (0, 1)
    nobody = bulletin(course.cast.noscope, NOV[28], course.outbreak)
    assert nobody["cumulative"] == {"confirmed": 0, "asymptomatic": 0, "by_district": {}}


def test_the_bulletin_is_one_query_for_the_figures(course, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        bulletin(course.cast.admin, NOV[28], course.outbreak)


def test_reported_and_reclassified_on_one_day_is_one_new_confirmed_case(outbreak):
    case = report(outbreak, outbreak.cast.zhang, day=15, hour=8)
    services.case_reclassify(acting_user=outbreak.cast.admin, case=case, at=at(15, 20),
                             clinical_type="mild")
    new = bulletin(outbreak.cast.admin, NOV[15], outbreak.outbreak)["new"]
    assert (new["confirmed"], new["reclassified"], new["asymptomatic"]) == (1, 0, 0)


def test_the_daily_figures_add_up_to_the_cumulative_ones(course):
    days = [bulletin(course.cast.admin, NOV[d], course.outbreak) for d in range(13, 29)]
    confirmed = sum(b["new"]["confirmed"] for b in days)
    asymptomatic = sum(b["new"]["asymptomatic"] - b["new"]["reclassified"] for b in days)
    assert (confirmed, asymptomatic) == (days[-1]["cumulative"]["confirmed"],
                                         days[-1]["cumulative"]["asymptomatic"])
    assert sum(b["new"]["discharged"] for b in days) == days[-1]["discharged"]
