"""The daily control jobs: fewer than two health checks on a day, a test day passed without a
result, a planned last day passed; each leaves one work item for the person's community,
however often the job runs."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from fangkong.audit.models import AuditEvent
from fangkong.control import monitoring
from fangkong.control.models import OrderEvent, OrderKind, Result
from fangkong.control.services import (
    control_order_cancel,
    control_order_create,
    control_order_release,
    control_test_record,
    health_check_record,
)
from fangkong.inbox.models import ItemKind, WorkItem

SH = ZoneInfo("Asia/Shanghai")


def day(n: int) -> datetime.date:
    return datetime.date(2022, 11, n)


def at(n: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2022, 11, n, hour, minute, tzinfo=SH)


def order_for(cast, person, first=20, last=21, tests=(20, 21), ref="pool-1120-07"):
    """Home health monitoring from `first` to `last` (inclusive) on a positive pool."""
    return control_order_create(
        acting_user=cast.admin, person=person, basis="pool", basis_ref=ref,
        kind=OrderKind.HOME_HEALTH_MONITORING, starts_on=day(first), ends_on=day(last),
        test_days=[day(n) for n in tests])


def check(cast, order, when):
    return health_check_record(acting_user=cast.wangge, order=order, taken_at=when,
                               temperature=Decimal("36.6"))


def items(kind):
    return list(WorkItem.objects.filter(kind=kind).select_related("place", "person"))


# --- missed health checks ------------------------------------------------------------------

def test_one_check_on_a_day_opens_one_missed_check_item_for_the_community(cast):
    order = order_for(cast, cast.zhang)
    check(cast, order, at(20, 8))
    counts = monitoring.missed_checks(day(20))
    [item] = items(ItemKind.MISSED_CHECK)
    assert (item.person, item.place, item.due_on) == (cast.zhang, cast.wenyuan, day(21))
    assert item.key == f"missed_check:{order.uuid}:2022-11-20"
    assert "张伟" in item.title and "2022-11-20" in item.title
    assert counts["opened"] == 1 and counts["existing"] == 0 and counts["looked_at"] == 1


def test_two_checks_on_a_day_open_nothing(cast):
    order = order_for(cast, cast.zhang)
    check(cast, order, at(20, 8))
    check(cast, order, at(20, 18))
    assert monitoring.missed_checks(day(20))["opened"] == 0
    assert not items(ItemKind.MISSED_CHECK)


def test_running_the_job_twice_still_leaves_one_item(cast):
    order = order_for(cast, cast.zhang)
    check(cast, order, at(20, 8))
    monitoring.missed_checks(day(20))
    again = monitoring.missed_checks(day(20))
    assert len(items(ItemKind.MISSED_CHECK)) == 1
    assert (again["opened"], again["existing"]) == (0, 1)


def test_a_day_is_the_local_day_in_shanghai(cast):
    """07:30 on 20 Nov in Shanghai is 23:30 on 19 Nov in UTC: it counts for the 20th."""
    order = order_for(cast, cast.zhang)
    check(cast, order, at(20, 7, 30))
    check(cast, order, at(20, 23, 59))
    check(cast, order, at(21, 0, 5))
    monitoring.missed_checks(day(20))
    monitoring.missed_checks(day(21))
    [item] = items(ItemKind.MISSED_CHECK)
    assert item.key.endswith(":2022-11-21")


def test_every_day_of_the_span_is_looked_at_and_no_day_outside_it(cast):
    order_for(cast, cast.zhang)  # no check at all
    for n in (19, 20, 21, 22):
        monitoring.missed_checks(day(n))
    assert sorted(i.due_on for i in items(ItemKind.MISSED_CHECK)) == [day(21), day(22)]


def test_each_item_goes_to_the_persons_own_community(cast):
    order_for(cast, cast.zhang)
    order_for(cast, cast.zhao)
    order_for(cast, cast.liu)
    monitoring.missed_checks(day(20))
    places = {i.person.name: i.place for i in items(ItemKind.MISSED_CHECK)}
    assert places == {"张伟": cast.wenyuan, "赵强": cast.xinjian, "刘洋": cast.village}


def test_cancelled_orders_and_orders_not_yet_begun_are_not_flagged(cast):
    cancelled = order_for(cast, cast.zhang)
    control_order_cancel(acting_user=cast.admin, order=cancelled, reason="given in error")
    order_for(cast, cast.li, first=21, last=22, tests=())
    monitoring.missed_checks(day(20))
    assert not items(ItemKind.MISSED_CHECK)


def test_an_order_released_after_the_day_is_still_looked_at_for_it(cast):
    """Re-running a past day: the order was in force then though it has ended since."""
    order = order_for(cast, cast.zhang, tests=(21,))
    check(cast, order, at(20, 8))
    control_test_record(acting_user=cast.admin, order=order, day=day(21), result="negative")
    control_order_release(acting_user=cast.admin, order=order, day=day(21))
    monitoring.missed_checks(day(20))
    assert len(items(ItemKind.MISSED_CHECK)) == 1


# --- missed tests --------------------------------------------------------------------------

def test_a_past_test_without_a_result_is_marked_missed_and_opens_an_item(cast):
    order = order_for(cast, cast.zhang, first=19, last=23, tests=(19, 21, 23))
    control_test_record(acting_user=cast.admin, order=order, day=day(19), result="negative")
    counts = monitoring.missed_tests(day(21))
    results = dict(order.tests.values_list("day", "result"))
    assert results == {day(19): Result.NEGATIVE, day(21): Result.MISSED, day(23): Result.PENDING}
    [item] = items(ItemKind.MISSED_TEST)
    assert (item.person, item.place, item.due_on) == (cast.zhang, cast.wenyuan, day(22))
    assert item.key == f"missed_test:{order.uuid}:2022-11-21" and "2022-11-21" in item.title
    assert counts["opened"] == 1
    event = order.events.get(kind="test", detail__result="missed")
    assert event.detail["day"] == "2022-11-21" and event.actor is None and event.reason
    audit = AuditEvent.objects.get(action="control.test_missed")
    assert audit.target_uuid == cast.zhang.uuid and audit.actor_name == "system"
    assert audit.scope_place == cast.h101 and audit.changes == {"result": ["", "missed"]}


def test_marking_missed_tests_twice_changes_nothing_more(cast):
    order = order_for(cast, cast.zhang)
    monitoring.missed_tests(day(21))
    again = monitoring.missed_tests(day(21))
    assert len(items(ItemKind.MISSED_TEST)) == 2 and again["opened"] == 0
    assert OrderEvent.objects.filter(order=order, detail__result="missed").count() == 2
    assert AuditEvent.objects.filter(action="control.test_missed").count() == 2


def test_a_result_recorded_later_replaces_missed(cast):
    order = order_for(cast, cast.zhang, tests=(20,))
    monitoring.missed_tests(day(20))
    control_test_record(acting_user=cast.admin, order=order, day=day(20), result="negative")
    assert order.tests.get().result == Result.NEGATIVE


def test_a_test_whose_day_is_not_over_cannot_be_marked_missed(cast):
    today = timezone.localdate()
    order = control_order_create(
        acting_user=cast.admin, person=cast.zhang, basis="pool", basis_ref="pool-today",
        kind=OrderKind.HOME_HEALTH_MONITORING, starts_on=today, ends_on=today, test_days=[today])
    with pytest.raises(ValidationError) as refusal:
        monitoring.control_test_mark_missed(acting_user=None, test=order.tests.get())
    assert refusal.value.code == "not_over"
    assert order.tests.get().result == Result.PENDING
    assert not OrderEvent.objects.filter(detail__result="missed").exists()


def test_tests_of_ended_orders_are_left_alone(cast):
    order = order_for(cast, cast.zhang)
    control_order_cancel(acting_user=cast.admin, order=order, reason="given in error")
    assert monitoring.missed_tests(day(21))["looked_at"] == 0
    assert set(order.tests.values_list("result", flat=True)) == {Result.PENDING}


# --- releases due --------------------------------------------------------------------------

def test_an_order_past_its_planned_last_day_is_due_for_release(cast):
    order = order_for(cast, cast.zhang)
    assert monitoring.release_due(day(20))["opened"] == 0
    monitoring.release_due(day(21))
    monitoring.release_due(day(22))
    [item] = items(ItemKind.RELEASE_DUE)
    assert item.key == f"release_due:{order.uuid}"
    assert (item.person, item.place, item.due_on) == (cast.zhang, cast.wenyuan, day(22))
    assert "2022-11-21" in item.title


def test_released_orders_are_not_due_for_release(cast):
    order = order_for(cast, cast.zhang, tests=(21,))
    control_test_record(acting_user=cast.admin, order=order, day=day(21), result="negative")
    control_order_release(acting_user=cast.admin, order=order, day=day(21))
    assert monitoring.release_due(day(22))["looked_at"] == 0


# --- the community above a household -------------------------------------------------------

def test_the_community_of_a_household_is_found_in_one_query(cast, django_assert_num_queries):
    households = [cast.h101, cast.h201, cast.x101, cast.village_home]
    with django_assert_num_queries(1):
        found = monitoring.communities_of(households)
    assert [found[h.pk] for h in households] == [cast.wenyuan, cast.wenyuan, cast.xinjian,
                                                 cast.village]
