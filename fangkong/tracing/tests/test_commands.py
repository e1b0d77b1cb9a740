"""`fangkong tracing-assign` gives waiting investigations to teams in turn and says what is
left without one; `fangkong tracing-propose` reads check-ins uploaded after the report and
proposes what they show, once."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from fangkong.cases.tests.util import at, report
from fangkong.tracing import services
from fangkong.tracing.models import (
    Category,
    Contact,
    Investigation,
    InvestigationEvent,
    Status,
    Stay,
    StaySource,
)
from fangkong.tracing.tests.util import team, venue, visit

pytestmark = pytest.mark.django_db

MIN = datetime.timedelta(minutes=1)


def run(name, *args) -> str:
    out = StringIO()
    with translation.override("en"):
        call_command(name, *args, stdout=out)
    return out.getvalue()


# --- tracing-assign -------------------------------------------------------------------------

@pytest.fixture
def waiting(outbreak):
    """Three 朔城区 cases and one 应县 case reported before any team existed."""
    c = outbreak.cast
    cases = [report(outbreak, person, day=14, hour=8 + n)
             for n, person in enumerate([c.zhang, c.wang, c.zhao, c.liu])]
    assert {case.investigation.status for case in cases} == {Status.UNASSIGNED}
    return outbreak


def test_tracing_assign_gives_the_waiting_investigations_to_teams_in_turn(waiting):
    c = waiting.cast
    first = team(c, "追阳一队", c.liudiao)
    second = team(c, "追阳二队", c.quxian)
    output = run("tracing_assign")
    assert "3 investigations assigned." in output
    assert "1 investigation still awaits a team: no active team covers its area." in output
    shuocheng = Investigation.objects.filter(place__path__startswith=c.shuocheng.path)
    assert [(i.status, i.team) for i in shuocheng.order_by("core_due_at")] == [
        (Status.ASSIGNED, first), (Status.ASSIGNED, second), (Status.ASSIGNED, first)]
    assert Investigation.objects.get(case__person=c.liu).status == Status.UNASSIGNED
    assert InvestigationEvent.objects.filter(kind="assigned").count() == 3


def test_tracing_assign_again_assigns_nothing_more(waiting):
    team(waiting.cast)
    run("tracing_assign")
    before = list(Investigation.objects.values_list("pk", "team_id", "assigned_at"))
    assert "0 investigations assigned." in run("tracing_assign")
    assert list(Investigation.objects.values_list("pk", "team_id", "assigned_at")) == before


# --- tracing-propose ------------------------------------------------------------------------

@pytest.fixture
def late_checkins(outbreak):
    """zhang reported on the 14th; the supermarket's gate uploads afterwards that she and
    zhao shared 25 minutes on the 12th, and that liu was there 5 minutes with her."""
    c = outbreak.cast
    team(c)
    case = report(outbreak, c.zhang, "asymptomatic", day=14)
    shop = venue(c)
    visit(shop, c.zhang, at(12, 10), 30)
    visit(shop, c.zhao, at(12, 10) + 5 * MIN, 25)
    visit(shop, c.liu, at(12, 10) + 25 * MIN, 30)
    return case, shop


def test_tracing_propose_reads_check_ins_uploaded_after_the_report(outbreak, late_checkins):
    case, shop = late_checkins
    c = outbreak.cast
    assert not Stay.objects.filter(investigation__case=case, venue=shop).exists()
    output = run("tracing_propose")
    assert ("Read the check-ins of 1 investigation. Proposed: stays 1, household members 0, "
            "companions 1, exposure sites 0.") in output
    stay = Stay.objects.get(investigation__case=case, venue=shop)
    assert (stay.started_at, stay.ended_at, stay.source) == (
        at(12, 10), at(12, 10) + 30 * MIN, StaySource.CHECKIN)
    companion = Contact.objects.get(case=case, category=Category.COMPANION)
    assert (companion.person, companion.overlap_minutes) == (c.zhao, 25)


def test_tracing_propose_twice_proposes_nothing_new(late_checkins):
    run("tracing_propose")
    counts = (Stay.objects.count(), Contact.objects.count())
    assert ("1 investigation. Proposed: stays 0, household members 0, companions 0, "
            "exposure sites 0.") in run("tracing_propose")
    assert (Stay.objects.count(), Contact.objects.count()) == counts


def test_tracing_propose_for_one_case(outbreak, late_checkins):
    case, _shop = late_checkins
    other = report(outbreak, outbreak.cast.wang, day=15)
    output = run("tracing_propose", "--case", case.number)
    assert "Read the check-ins of 1 investigation. Proposed: stays 1," in output
    assert Contact.objects.filter(case=case, category=Category.COMPANION).exists()
    assert not Stay.objects.filter(investigation__case=other, source=StaySource.CHECKIN).exists()


def test_tracing_propose_skips_completed_investigations(outbreak, late_checkins):
    case, _shop = late_checkins
    investigation = case.investigation
    for status in (Status.IN_PROGRESS, Status.CORE_DONE, Status.COMPLETED):
        investigation = services.investigation_advance(
            acting_user=outbreak.cast.liudiao, investigation=investigation, status=status)
    assert "Read the check-ins of 0 investigations" in run("tracing_propose")
    with pytest.raises(CommandError, match="is completed"):
        run("tracing_propose", "--case", case.number)
    assert not Contact.objects.filter(case=case, category=Category.COMPANION).exists()


def test_tracing_propose_refuses_an_unknown_case(late_checkins):
    with pytest.raises(CommandError, match="No case NOPE-1 has an investigation"):
        run("tracing_propose", "--case", "NOPE-1")
    assert not Contact.objects.filter(category=Category.COMPANION).exists()
