"""What an arrival is asked to do, per origin and arrival day: the profile and the list of
risk areas in force on that day decide, and every date names its rule and profile."""

import datetime

import pytest

from fangkong.arrivals.models import Requirement
from fangkong.arrivals.selectors import requirement_for
from fangkong.arrivals.services import risk_region_end
from fangkong.arrivals.tests.util import (
    CHAOYANG,
    HAIZHU,
    JINSHUI,
    TIANHE,
    YINGXIAN,
    ZHENGZHOU,
    at,
    list_haizhu,
    register,
)
from fangkong.control.models import Basis, ControlOrder, OrderKind, OrderStatus

D = datetime.date


def days(*values):
    return [D(2022, m, d).isoformat() for m, d in values]


@pytest.mark.django_db
def test_a_high_risk_county_on_25_november_gives_seven_days_home_isolation(cast):
    list_haizhu(cast)
    registration = register(cast, at(11, 25), origin_code=HAIZHU)

    assert registration.requirement == Requirement.HIGH_RISK_OUTFLOW
    order = registration.control_order
    assert order.kind == OrderKind.HOME_ISOLATION and order.status == OrderStatus.ACTIVE
    assert (order.starts_on, order.ends_on) == (D(2022, 11, 25), D(2022, 12, 1))
    assert order.test_days == days((11, 25), (11, 27), (11, 29), (12, 1))
    assert list(order.tests.values_list("day", flat=True)) == [
        D(2022, 11, 25), D(2022, 11, 27), D(2022, 11, 29), D(2022, 12, 1)]
    assert order.basis == Basis.ARRIVAL and order.plan_basis == "high-risk-outflow"
    assert order.basis_ref == f"arrival:{registration.uuid}"
    assert order.person == registration.person and order.created_by is None
    assert "二十条第4条" in order.rule and order.profile.code == "shuozhou-2022-11-21"
    assert "广州市海珠区" in order.reason
    [phase] = registration.phases
    assert phase["kind"] == "home_isolation" and phase["profile"] == "shuozhou-2022-11-21"


@pytest.mark.django_db
@pytest.mark.parametrize(("month", "day", "expected"), [
    (11, 20, None),  # 20 measures: nothing for low-risk arrivals
    (11, 21, ((11, 21), (11, 22), (11, 23))),  # Shuozhou's notice: 3天3检 from its first day
    (12, 6, ((12, 6), (12, 7), (12, 8))),  # its last day
    (12, 7, None),  # 10 new measures
])
def test_a_low_risk_origin_is_tested_three_times_only_under_the_shuozhou_notice(
        cast, month, day, expected):
    registration = register(cast, at(month, day), origin_code=CHAOYANG)

    assert registration.control_order is None
    assert not ControlOrder.objects.exists()
    if expected is None:
        assert registration.requirement == Requirement.NONE and registration.phases == []
        assert registration.profile.code in ("covid19-20-measures", "covid19-10-new-measures")
    else:
        assert registration.requirement == Requirement.ARRIVAL_LOW_RISK
        [phase] = registration.phases
        assert phase["kind"] == "testing" and phase["test_days"] == days(*expected)
        assert phase["profile"] == "shuozhou-2022-11-21" and "3天3检" in phase["rule"]


@pytest.mark.django_db
def test_a_city_listed_whole_covers_its_counties_and_a_county_only_itself(cast):
    list_haizhu(cast)
    list_haizhu(cast, code=ZHENGZHOU)

    assert requirement_for(JINSHUI, D(2022, 11, 25), cast.city).requirement == (
        Requirement.HIGH_RISK_OUTFLOW)
    assert requirement_for(TIANHE, D(2022, 11, 25), cast.city).requirement == (
        Requirement.ARRIVAL_LOW_RISK)


@pytest.mark.django_db
def test_the_list_in_force_on_the_arrival_day_decides(cast):
    region = list_haizhu(cast, valid_from=D(2022, 11, 22))
    risk_region_end(acting_user=cast.admin, region=region, last_day=D(2022, 11, 28))
    list_haizhu(cast, level="low", valid_from=D(2022, 11, 29))

    def on(day):
        return requirement_for(HAIZHU, D(2022, 11, day), cast.city).requirement

    assert on(21) == Requirement.ARRIVAL_LOW_RISK  # not yet listed
    assert on(22) == on(28) == Requirement.HIGH_RISK_OUTFLOW
    assert on(29) == Requirement.ARRIVAL_LOW_RISK  # downgraded: low risk asks 3天3检


@pytest.mark.django_db
def test_before_the_20_measures_a_high_risk_origin_meant_centralised_isolation(cast):
    list_haizhu(cast)
    registration = register(cast, at(11, 5), origin_code=HAIZHU)

    order = registration.control_order
    assert order.kind == OrderKind.CENTRALISED_ISOLATION and order.profile.code == "covid19-ed9"
    assert (order.starts_on, order.ends_on) == (D(2022, 11, 5), D(2022, 11, 11))


@pytest.mark.django_db
def test_travel_within_the_city_is_accepted_and_asks_nothing(cast):
    list_haizhu(cast, code=YINGXIAN)  # even from a listed county of the city itself
    registration = register(cast, at(11, 25), origin_code=YINGXIAN)

    assert registration.requirement == Requirement.NONE and registration.local
    assert registration.control_order is None
