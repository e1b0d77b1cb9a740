"""`fangkong demo-tracing` on a small city with a few cases: teams in every district with the
demo tracer in one, every investigation assigned, check-ins in the cases' windows through
the gate path, contacts proposed, confirmed under control, dismissed or left waiting, a
chain of three generations the tracer sees, the same result from the same seed, and a
second run that changes nothing."""

import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import translation

from fangkong.accounts.models import User
from fangkong.cases.models import Case
from fangkong.cases.services import case_report, outbreak_create
from fangkong.control.models import OrderStatus
from fangkong.demo.seeding import seed_city
from fangkong.demo.users import demo_places, demo_users_ensure
from fangkong.people.models import Person
from fangkong.places.models import Level, Place
from fangkong.reports.bulletin import bulletin
from fangkong.tracing.chains import clusters_for
from fangkong.tracing.models import (
    NOT_STARTED,
    Category,
    CheckIn,
    Contact,
    ContactStatus,
    ExposureSite,
    Investigation,
    Source,
    Status,
    Team,
)
from fangkong.tracing.selectors import dashboard
from fangkong.tracing.window import infectious_window

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
CASES = 16   # more than the demo works on, so some investigations wait


def run(*args) -> str:
    out = StringIO()
    with translation.override("en"):
        call_command("demo_tracing", *args, stdout=out)
    return out.getvalue()


def report_cases(places) -> list[Case]:
    """Sixteen cases from 18 to 25 Nov 2022: most in the demo street, two in 应县."""
    yingxian = Place.objects.get(level=Level.DISTRICT, code="140622")
    outbreak = outbreak_create(acting_user=None, code="demo-2022-11", name="演示疫情",
                               start_date=datetime.date(2022, 11, 13),
                               places=[places["district"], yingxian])
    street = list(Person.objects.filter(household__path__startswith=places["street"].path)
                  .order_by("id"))
    people = street[::max(1, len(street) // (CASES - 2))][:CASES - 2]
    people += list(Person.objects.filter(household__path__startswith=yingxian.path)
                   .order_by("id")[:2])
    return [case_report(acting_user=None, person=person, outbreak=outbreak,
                        classification="asymptomatic", route="community_screening",
                        reported_at=datetime.datetime(2022, 11, 18 + n // 2, 9 + n % 2 * 6,
                                                      tzinfo=TZ))
            for n, person in enumerate(people)]


@pytest.fixture
def city():
    seed_city(scale=0.002, seed=1)
    demo_users_ensure()
    return demo_places()


@pytest.fixture
def demo(city):
    cases = report_cases(city)
    return run(), cases, User.objects.get(username="liudiao")


def test_every_district_has_teams_and_the_tracer_is_in_one_of_shuochengs(demo, city):
    output, _cases, tracer = demo
    districts = set(Place.objects.filter(level=Level.DISTRICT).values_list("pk", flat=True))
    assert set(Team.objects.values_list("place_id", flat=True)) == districts
    mine = Team.objects.get(members=tracer)
    assert (mine.place, mine.name) == (city["district"], "追阳一队")
    assert "liudiao works in 朔城区追阳一队" in output


def test_every_investigation_is_assigned_to_a_team_of_its_district(demo):
    assert not Investigation.objects.filter(status=Status.UNASSIGNED).exists()
    for investigation in Investigation.objects.select_related("team__place", "place"):
        assert investigation.place.path.startswith(investigation.team.place.path)


def test_check_ins_come_through_the_gates_within_the_cases_windows(demo):
    _output, cases, _tracer = demo
    assert set(CheckIn.objects.values_list("source", flat=True)) == {Source.TERMINAL}
    traced = [c for c in cases if CheckIn.objects.filter(person=c.person).exists()]
    assert len(traced) >= 10
    for case in traced:
        window = infectious_window(case)
        for checkin in CheckIn.objects.filter(person=case.person):
            assert window.start <= checkin.checked_in_at < checkin.left_at <= window.end


def test_contacts_are_confirmed_under_control_dismissed_or_left_waiting(demo):
    confirmed_close = Contact.objects.filter(status=ContactStatus.CONFIRMED,
                                             category=Category.CLOSE)
    assert confirmed_close.count() >= 5
    for contact in confirmed_close.select_related("control_order"):
        if contact.became_case_id:   # a household member who is a case already
            continue
        assert contact.controlled_at is not None
        assert contact.control_order.status in (OrderStatus.ACTIVE, OrderStatus.ESCALATED)
    dismissed = Contact.objects.filter(status=ContactStatus.DISMISSED)
    assert dismissed.exists() and all(c.end_reason for c in dismissed)
    assert Contact.objects.filter(status=ContactStatus.PROPOSED,
                                  category=Category.COMPANION).exists()
    assert Contact.objects.filter(status=ContactStatus.CONFIRMED,
                                  category=Category.COMPANION).exists()


def test_the_dashboard_has_work_in_every_state(demo):
    statuses = set(Investigation.objects.values_list("status", flat=True))
    assert {Status.ASSIGNED, Status.IN_PROGRESS, Status.CORE_DONE, Status.COMPLETED} <= statuses
    command = User.objects.get(username="zhihui")
    figures = dashboard(command)
    assert figures["not_started"] == Investigation.objects.filter(
        status__in=NOT_STARTED).count() > 0
    assert figures["proposed"] > 0 and figures["median_hours_to_control"] is not None


def test_a_chain_of_three_generations_that_the_tracer_sees(demo):
    output, _cases, tracer = demo
    line = next(x for x in output.splitlines() if x.startswith("Transmission chain: "))
    numbers = line.removeprefix("Transmission chain: ").rstrip(".").split(" → ")
    first, second, third = (Case.objects.get(number=n) for n in numbers)
    cluster = next(c for c in clusters_for(tracer) if third in c.cases)
    assert [cluster.generation[c.pk] for c in (first, second, third)] == [1, 2, 3]
    assert (second.in_control, third.in_control) == (True, True)   # found in isolation
    assert Contact.objects.get(case=first, became_case=second).category == Category.CLOSE
    assert Contact.objects.get(case=second, became_case=third).setting == "household"
    assert {i.team.members.get() for i in Investigation.objects.filter(
        case__in=[first, second, third])} == {tracer}


def test_the_bulletin_counts_the_demos_contacts(demo):
    command = User.objects.get(username="zhihui")
    outbreak = Case.objects.first().outbreak
    last = max(c.reported_at for c in Case.objects.all()).astimezone(TZ).date()
    figures = bulletin(command, last, outbreak)
    assert figures["contacts_traced"] == Contact.objects.filter(
        status=ContactStatus.CONFIRMED, category=Category.CLOSE).values("person").distinct(
        ).count()
    assert figures["contacts_became_cases"] >= 2   # the chain, and any household of cases


def test_an_exposure_site_needs_a_crowd_the_small_city_may_lack(demo):
    sites = list(ExposureSite.objects.all())
    assert sites  # the demo's market is crowded enough for one
    for site in sites:
        assert site.visitors >= 50


class Rollback(Exception):
    pass


def test_the_same_seed_gives_the_same_demo(city):
    report_cases(city)
    with pytest.raises(Rollback), transaction.atomic():
        first = run(), sorted(Contact.objects.values_list("person_id", "status", "category"))
        raise Rollback
    second = run(), sorted(Contact.objects.values_list("person_id", "status", "category"))
    assert first == second


def test_a_second_run_changes_nothing(demo):
    counts = (Team.objects.count(), CheckIn.objects.count(), Contact.objects.count())
    assert "exists already" in run("--if-absent")
    with pytest.raises(CommandError, match="--if-absent"):
        run()
    assert (Team.objects.count(), CheckIn.objects.count(), Contact.objects.count()) == counts


def test_demo_tracing_needs_cases(city):
    with pytest.raises(CommandError, match="simulate"):
        run()
    assert not Team.objects.exists()


def test_demo_tracing_needs_the_city():
    with pytest.raises(CommandError, match="seed-city"):
        run()
