"""Investigations: opened with the case, on the profile's clock, given round-robin to the
teams covering the case's home, moved through their status in order."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fangkong.accounts.services import user_create
from fangkong.cases.tests.util import at, report
from fangkong.core.cast import PASSWORD
from fangkong.tracing import selectors, services
from fangkong.tracing.models import Investigation, Status, Stay, StaySource
from fangkong.tracing.tests.util import team, venue, visit


def test_a_reported_case_opens_an_investigation_due_in_24_hours(outbreak):
    case = report(outbreak, outbreak.cast.zhang, day=14, hour=10)
    investigation = case.investigation
    assert (investigation.status, investigation.team) == (Status.UNASSIGNED, None)
    assert investigation.core_due_at == at(15, 10)


def test_new_cases_go_round_robin_to_the_teams_covering_their_home(outbreak):
    c = outbreak.cast
    first, second = team(c, "追阳一队"), team(c, "追阳二队")
    team(c, "应县一队", c.yingxianqu, place=c.yingxian)   # another district: never chosen
    cases = [report(outbreak, p, day=14, hour=h)
             for h, p in zip((9, 10, 11), (c.zhang, c.zhao, c.wang), strict=True)]
    assert [x.investigation.team for x in cases] == [first, second, first]


def test_waiting_investigations_are_assigned_when_teams_exist(outbreak):
    c = outbreak.cast
    waiting = [report(outbreak, p, day=14, hour=h).investigation
               for h, p in ((9, c.zhang), (10, c.zhao))]
    one, two = team(c, "追阳一队"), team(c, "追阳二队")
    assert services.investigations_assign_round_robin(acting_user=c.quxian) == 2
    assert {Investigation.objects.get(pk=x.pk).team for x in waiting} == {one, two}


def test_a_case_is_assigned_only_to_an_open_team_covering_its_home(outbreak):
    """zhang lives in 文远社区: 新建社区's team may not take the case, by page or by API."""
    c = outbreak.cast
    investigation = report(outbreak, c.zhang, day=14).investigation
    elsewhere = team(c, "新建一队", place=c.xinjian)
    here = team(c, "文远一队", place=c.wenyuan)
    with pytest.raises(ValidationError) as refused:
        services.investigation_assign(acting_user=c.quxian, investigation=investigation,
                                      team=elsewhere)
    assert refused.value.error_dict["team"][0].code == "area"
    assert Investigation.objects.get(pk=investigation.pk).team is None
    services.investigation_assign(acting_user=c.quxian, investigation=investigation, team=here)
    for step in (Status.IN_PROGRESS, Status.CORE_DONE, Status.COMPLETED):
        services.investigation_advance(acting_user=c.quxian, investigation=investigation,
                                       status=step)
    with pytest.raises(ValidationError) as refused:
        services.investigation_assign(acting_user=c.quxian, investigation=investigation,
                                      team=here)
    assert refused.value.error_dict["team"][0].code == "completed"


def test_a_completed_investigation_reads_nothing_again(outbreak):
    c = outbreak.cast
    team(c)
    investigation = report(outbreak, c.zhang, day=14).investigation
    for step in (Status.IN_PROGRESS, Status.CORE_DONE, Status.COMPLETED):
        services.investigation_advance(acting_user=c.liudiao, investigation=investigation,
                                       status=step)
    shop = venue(c)
    visit(shop, c.zhang, at(13, 10), 30)
    with pytest.raises(ValidationError) as refused:
        services.investigation_propose(acting_user=c.liudiao, investigation=investigation)
    assert refused.value.error_dict["investigation"][0].code == "completed"
    assert not investigation.stays.filter(venue=shop).exists()


def test_status_moves_one_step_at_a_time(outbreak):
    c = outbreak.cast
    team(c)
    investigation = report(outbreak, c.zhang, day=14).investigation
    with pytest.raises(ValidationError) as refused:
        services.investigation_advance(acting_user=c.liudiao, investigation=investigation,
                                       status=Status.COMPLETED)
    assert refused.value.error_dict["status"][0].code == "order"
    for step in (Status.IN_PROGRESS, Status.CORE_DONE, Status.COMPLETED):
        investigation = services.investigation_advance(
            acting_user=c.liudiao, investigation=investigation, status=step)
    assert investigation.started_at <= investigation.core_done_at <= investigation.completed_at
    assert list(investigation.events.values_list("kind", flat=True)) == [
        "opened", "assigned", "stays_proposed", "contacts_proposed", "started", "core_done",
        "completed"]


def test_the_trajectory_is_prefilled_from_check_ins_and_household(outbreak):
    c = outbreak.cast
    shop = venue(c)
    visit(shop, c.zhang, at(12, 18), 30)
    visit(shop, c.zhang, at(5, 18), 30)          # before the window: not a stay
    case = report(outbreak, c.zhang, day=14)
    stays = list(case.investigation.stays.values_list("source", "venue", "place", "started_at"))
    assert stays == [(StaySource.HOUSEHOLD, None, c.h101.pk,
                      datetime.datetime(2022, 11, 10, tzinfo=at(1).tzinfo)),
                     (StaySource.CHECKIN, shop.pk, None, at(12, 18))]


def test_reading_again_does_not_bring_back_a_stay_the_tracer_removed(outbreak):
    """A neighbour scanned 张伟's code at the shop by mistake, and 张伟 was away from home
    the whole window: the tracer removes both stays, and a later reading of the check-ins
    (a gate's late upload) proposes neither again."""
    c = outbreak.cast
    team(c)
    shop = venue(c)
    visit(shop, c.zhang, at(12, 18), 30)
    investigation = report(outbreak, c.zhang, day=14).investigation
    for stay in investigation.stays.all():
        services.stay_remove(acting_user=c.liudiao, stay=stay, reason="邻居误扫，本人出差")
    visit(shop, c.zhang, at(13, 9), 20)                 # uploaded late: a new stay
    found = services.investigation_propose(acting_user=c.liudiao, investigation=investigation)
    assert found["stays"] == 1
    assert list(investigation.stays.values_list("venue", "started_at")) == [
        (shop.pk, at(13, 9))]
    removed = investigation.events.filter(kind="stay_removed")
    assert [(e.reason, e.detail["stay"]) for e in removed] == [
        ("邻居误扫，本人出差", "101 11-10 00:00–11-14 10:00"),
        ("邻居误扫，本人出差", "开发区超市 11-12 18:00–11-12 18:30")]


def test_a_stay_from_the_interview_must_end_after_it_starts(outbreak):
    c = outbreak.cast
    team(c)
    investigation = report(outbreak, c.zhang, day=14).investigation
    with pytest.raises(ValidationError) as refused:
        services.stay_add(acting_user=c.liudiao, investigation=investigation,
                          started_at=at(12, 10), ended_at=at(12, 9), note="朔州火车站")
    assert "ended_at" in refused.value.error_dict
    stay = services.stay_add(acting_user=c.liudiao, investigation=investigation,
                             started_at=at(12, 9), ended_at=at(12, 10), note="朔州火车站")
    assert stay.source == StaySource.INTERVIEW
    services.stay_remove(acting_user=c.liudiao, stay=stay, reason="记错了日期")
    assert not Stay.objects.filter(pk=stay.pk).exists()


def test_a_tracer_works_only_the_investigations_of_their_teams(outbreak):
    c = outbreak.cast
    other = user_create(acting_user=None, username="liudiao2", password=PASSWORD,
                        role="tracer", scope=c.shuocheng)
    team(c, "追阳二队", other)
    investigation = report(outbreak, c.zhang, day=14).investigation   # to 追阳二队
    with pytest.raises(PermissionError):
        services.investigation_advance(acting_user=c.liudiao, investigation=investigation,
                                       status=Status.IN_PROGRESS)
    with pytest.raises(PermissionError):
        services.investigation_assign(acting_user=c.liudiao, investigation=investigation,
                                      team=team(c, "追阳三队"))


def test_a_report_reads_the_same_whatever_its_stays_household_and_companions(outbreak):
    """The investigation opens inside every case report: a case with a household, three
    venue stays and companions costs the same statements as one with a single stay."""
    c = outbreak.cast
    shop, market = venue(c), venue(c, "新建菜市场", place=c.xinjian_compound, kind="market")
    visit(shop, c.wang, at(12, 9), 30)
    visit(shop, c.liu, at(12, 9), 30)
    for start, place, companion in ((at(12, 14), shop, c.zhao), (at(13, 9), market, c.liu),
                                    (at(13, 15), shop, c.zhao)):
        visit(place, c.zhang, start, 40)
        visit(place, companion, start, 40)
    with CaptureQueriesContext(connection) as alone:
        report(outbreak, c.wang, day=14, hour=9)
    with CaptureQueriesContext(connection) as busy:
        case = report(outbreak, c.zhang, day=14, hour=10)
    assert case.investigation.stays.filter(venue__isnull=False).count() == 3
    assert set(case.contacts.values_list("person", flat=True)) == {c.li.pk, c.zhao.pk,
                                                                   c.liu.pk}
    assert len(busy.captured_queries) == len(alone.captured_queries)


def test_an_investigation_is_overdue_only_after_its_clock_and_until_core_information(outbreak):
    """Reported 14 Nov 10:00, due 15 Nov 10:00: not overdue at 9:00, overdue at 11:00 in the
    list filter too, and no longer once core information is done."""
    c = outbreak.cast
    team(c)
    investigation = report(outbreak, c.zhang, day=14, hour=10).investigation
    for hour, overdue in ((9, False), (11, True)):
        with time_machine.travel(at(15, hour), tick=False):
            assert investigation.is_overdue(timezone.now()) is overdue
            assert list(selectors.investigations_for(c.liudiao, overdue=True)) == (
                [investigation] if overdue else [])
    for step in (Status.IN_PROGRESS, Status.CORE_DONE):
        investigation = services.investigation_advance(
            acting_user=c.liudiao, investigation=investigation, status=step)
    assert not investigation.is_overdue(at(20))
