"""Contact tracing on the demo outbreak: tracing teams in every district, the simulated
cases' investigations given to them in turn, and the work on the most recent cases.

The simulated cases opened their investigations when they were reported, before any team
existed, so they all wait for a team. The city forms its teams (追阳一队, 二队, … in each
district; the demo tracer `liudiao` in 朔城区's first) an hour after the last simulated
report, and the tracing of the day follows on the scenario's clock, not the wall clock:
venue gates upload the check-ins of the most recent cases, their neighbours and passers-by;
the check-ins and households give each investigation its stays and proposed contacts; the
tracers confirm close contacts (who go under control), dismiss one companion per case, and
leave some proposals and most older investigations for the dashboard. One companion,
confirmed a close contact, tests positive in isolation and becomes a case, and a household
member of theirs after them: a transmission chain of three generations.

Everything goes through the tracing, control and case services, with the clock moved to
the scenario's day (time-machine), because a gate's check-in older than 14 days is refused.
"""

import datetime
import math
import random
from collections import Counter
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import time_machine
from django.conf import settings
from django.db import transaction
from django.db.models import Count

from fangkong.accounts.models import User
from fangkong.cases.models import Case, Outbreak
from fangkong.control import services as control
from fangkong.control.models import ControlOrder, OrderStatus, Result
from fangkong.demo.users import demo_places, demo_users_ensure
from fangkong.people.models import Person
from fangkong.places.models import Level, Place, Venue
from fangkong.protocol.selectors import rule
from fangkong.tracing import services
from fangkong.tracing.models import (
    NOT_STARTED,
    OPEN_STATUSES,
    Category,
    Contact,
    ContactStatus,
    Investigation,
    Setting,
    Status,
    Team,
)
from fangkong.tracing.services.contacts import ISOLATING
from fangkong.tracing.window import infectious_window

NUMERALS = "一二三四五六七八九十"
CASES_PER_TEAM = 600        # a district forms a team for every 600 cases, at most four
MAX_TEAMS = 4
WORKED_CASES = 12           # the most recent cases, whose tracing the demo shows
VISITS = (2, 3)             # venue visits per worked case in its infectious window
COMPANIONS = (2, 4)         # neighbours overlapping each visit by ten minutes or more
NEIGHBOUR_POOL = 300
HOUR = datetime.timedelta(hours=1)
MINUTE = datetime.timedelta(minutes=1)
CROWDED_KINDS = ("market", "supermarket")
DISMISS_REASON = "核实为同楼栋邻居错扫场所码，未同时段停留"
CLOSER_REASON = "流调核实：与病例同桌就餐，按密接管理"  # a companion found to be closer


class DemoTracingExists(RuntimeError):
    pass


class DemoCasesMissing(LookupError):
    pass


@dataclass
class DemoTracingSummary:
    teams: list[str] = field(default_factory=list)
    tracer_team: str = ""
    assigned: int = 0
    checkins: int = 0
    worked: int = 0
    stays: int = 0
    proposed: Counter = field(default_factory=Counter)
    confirmed: int = 0
    dismissed: int = 0
    chain: list[str] = field(default_factory=list)
    not_started: int = 0
    left_proposed: int = 0


def demo_tracing_exists() -> bool:
    return Team.objects.exists()


@transaction.atomic
def demo_tracing_create(seed: int = 1) -> DemoTracingSummary:
    """Build the demo's tracing on the latest outbreak's cases (raises DemoCityMissing
    without the city, DemoCasesMissing without cases, DemoTracingExists when teams exist)."""
    if demo_tracing_exists():
        raise DemoTracingExists
    demo_users_ensure()
    places = demo_places()
    outbreak = (Outbreak.objects.filter(cases__isnull=False).order_by("-start_date")
                .first())
    if outbreak is None:
        raise DemoCasesMissing
    cases = list(Case.objects.filter(outbreak=outbreak)
                 .select_related("person", "person__household", "district", "investigation")
                 .order_by("-reported_at", "-id")[:WORKED_CASES])[::-1]
    work = _Work(random.Random(seed), User.objects.get(username="liudiao"),
                 _next_hour(cases[-1].reported_at) + HOUR)
    with work.at(0):
        team = _teams(places, outbreak, work)
        work.summary.assigned = services.investigations_assign_round_robin(acting_user=None)
    work.team = team
    for index, case in enumerate(cases):
        _trace(work, index, case, crowded=index == len(cases) - 1)
    _chain(work, cases)
    summary = work.summary
    summary.not_started = Investigation.objects.filter(status__in=NOT_STARTED).count()
    summary.left_proposed = Contact.objects.filter(status=ContactStatus.PROPOSED,
                                                   case__outbreak=outbreak).count()
    return summary


def _next_hour(at: datetime.datetime) -> datetime.datetime:
    return at.replace(minute=0, second=0, microsecond=0) + HOUR


class _Work:
    """The demo's clock and what it has done so far."""

    def __init__(self, rng: random.Random, tracer: User, start: datetime.datetime):
        self.rng, self.tracer, self.start = rng, tracer, start
        self.team: Team | None = None
        self.summary = DemoTracingSummary()

    def at(self, hours: float, *, tick: bool = False):
        return time_machine.travel(self.start + hours * HOUR, tick=tick)

    def actor(self, investigation: Investigation):
        """The demo tracer for their team's investigations; the system for the others."""
        return self.tracer if investigation.team_id == self.team.pk else None


def _teams(places, outbreak: Outbreak, work: _Work) -> Team:
    """Teams in every district, one per 600 of its cases (at least one, at most four);
    returns the demo tracer's."""
    cases = dict(Case.objects.filter(outbreak=outbreak).values_list("district_id")
                 .annotate(n=Count("id")))
    home = None
    districts = Place.objects.filter(level=Level.DISTRICT, parent=places["city"])
    for district in districts.order_by("path"):
        count = min(MAX_TEAMS, max(1, math.ceil(cases.get(district.pk, 0) / CASES_PER_TEAM)))
        for number in range(count):
            mine = district.pk == places["district"].pk and number == 0
            team = services.team_create(acting_user=None, name=f"追阳{NUMERALS[number]}队",
                                        place=district, members=[work.tracer] if mine else [])
            work.summary.teams.append(f"{district.name}{team.name}")
            if mine:
                home = team
                work.summary.tracer_team = work.summary.teams[-1]
    return home


# --- the most recent cases: check-ins, proposals, confirmations ---------------------------

def _community(place: Place) -> Place:
    prefixes = [place.path[:n] for n in range(1, len(place.path) + 1)]
    return (Place.objects.filter(path__in=prefixes, level=Level.COMMUNITY).first()
            or Place.objects.filter(path__in=prefixes, level=Level.DISTRICT).first())


def _neighbours(case: Case, rng: random.Random) -> list[Person]:
    """People of the case's community outside its household who are not cases, shuffled."""
    pool = list(Person.objects.active()
                .filter(household__path__startswith=_community(case.person.household).path)
                .exclude(household_id=case.person.household_id)
                .exclude(pk__in=Case.objects.values("person_id")).order_by("id")
                [:NEIGHBOUR_POOL])
    rng.shuffle(pool)
    return pool


def _venues(case: Case) -> list[Venue]:
    near = list(Venue.objects.filter(
        place__path__startswith=_community(case.person.household).path).order_by("code"))
    return near or list(Venue.objects.filter(place__path__startswith=case.district.path)
                        .order_by("code"))


def _visit(rng, window, venue: Venue, case: Case, neighbours: list[Person], crowd: int = 0):
    """The case's stay at the venue on one day of its window, the neighbours who shared ten
    minutes or more of it, and one who left as the case arrived (no companion)."""
    days = max(1, (window.end - window.start).days)
    start = window.start + datetime.timedelta(days=rng.randrange(days),
                                              hours=rng.randint(8, 18))
    length = rng.randint(30, 90) * MINUTE
    if start + length > window.end:
        return []
    scans = [services.Scan(venue.code, case.person.id_number, start, start + length)]
    count = min(crowd or rng.randint(*COMPANIONS), len(neighbours) - 1)
    if count < 1:
        return scans
    for person in neighbours[:count]:
        stay = rng.randint(25, 60) * MINUTE
        earliest, latest = start - stay + 10 * MINUTE, start + length - 10 * MINUTE
        arrival = earliest + rng.random() * (latest - earliest)
        arrival = arrival.replace(second=0, microsecond=0) + MINUTE
        scans.append(services.Scan(venue.code, person.id_number, arrival, arrival + stay))
    passer = neighbours[count]
    scans.append(services.Scan(venue.code, passer.id_number, start - 20 * MINUTE, start))
    del neighbours[:count + 1]
    return scans


def _check_ins(work: _Work, case: Case, crowded: bool) -> None:
    window = infectious_window(case)
    neighbours, venues = _neighbours(case, work.rng), _venues(case)
    scans = []
    for _ in range(work.rng.randint(*VISITS)):
        scans += _visit(work.rng, window, work.rng.choice(venues), case, neighbours)
    if crowded:  # a market in a busy hour: an exposure site, not fifty companions
        markets = [v for v in Venue.objects.filter(place__path__startswith=case.district.path,
                                                   kind__in=CROWDED_KINDS).order_by("code")]
        crowd = rule(window.reference_day, "exposure_site_min_visitors")
        if markets and len(neighbours) > crowd:
            scans += _visit(work.rng, window, markets[0], case, neighbours, crowd)
    report = services.check_in_batch(acting_user=None, scans=scans)
    if report.refused:
        raise RuntimeError(f"demo check-ins refused: {report.refused[:3]}")
    work.summary.checkins += report.accepted


def _trace(work: _Work, index: int, case: Case, *, crowded: bool) -> None:
    """One recent case: its check-ins uploaded, its stays and contacts proposed, and its
    investigation worked to a point that depends on its turn: still in progress with
    everything proposed, core information done, or completed."""
    investigation = Investigation.objects.select_related("team").get(case=case)
    actor = work.actor(investigation)
    hours = index / 4
    with work.at(0.5 + hours):
        _check_ins(work, case, crowded)
    with work.at(1 + hours):
        found = services.investigation_propose(acting_user=None, investigation=investigation)
        work.summary.stays += found.pop("stays")
        work.summary.proposed.update(found)
        if investigation.status == Status.ASSIGNED:
            investigation = services.investigation_advance(
                acting_user=actor, investigation=investigation, status=Status.IN_PROGRESS)
    work.summary.worked += 1
    if index % 4 == 0:
        return
    with work.at(4 + hours):
        _settle(work, actor, case, everything=index % 4 == 3)
        investigation = services.investigation_advance(
            acting_user=actor, investigation=investigation, status=Status.CORE_DONE)
    if index % 4 == 3:
        with work.at(20 + hours):
            services.investigation_advance(acting_user=actor, investigation=investigation,
                                           status=Status.COMPLETED,
                                           summary="密接已全部落实管控，时空伴随者已核实。")


def _settle(work: _Work, actor, case: Case, *, everything: bool) -> None:
    """Confirm the household, the first companion as a close contact and dismiss the last;
    with `everything`, confirm the companions in between as companions too."""
    proposed = list(Contact.objects.filter(case=case, status=ContactStatus.PROPOSED)
                    .order_by("category", "person_id"))
    household = [c for c in proposed if c.category == Category.CLOSE]
    companions = [c for c in proposed if c.category == Category.COMPANION]
    for contact in household:
        services.contact_confirm(acting_user=actor, contact=contact)
        work.summary.confirmed += 1
    if companions:
        services.contact_confirm(acting_user=actor, contact=companions[0],
                                 category=Category.CLOSE, setting=Setting.VENUE,
                                 reason=CLOSER_REASON)
        work.summary.confirmed += 1
    if len(companions) > 1:
        services.contact_dismiss(acting_user=actor, contact=companions[-1],
                                 reason=DISMISS_REASON)
        work.summary.dismissed += 1
    for contact in companions[1:-1] if everything else []:
        services.contact_confirm(acting_user=actor, contact=contact)
        work.summary.confirmed += 1


# --- a transmission chain of three generations -------------------------------------------

def _chain(work: _Work, cases: list[Case]) -> None:
    """A worked case's companion who lives with others, confirmed a close contact, tests
    positive on the second day of isolation: a case. A household member of theirs,
    confirmed that afternoon, tests positive on their third day: the third generation. The
    demo tracer's team takes the chain's investigations."""
    first, contact = _first_link(cases, work.team)
    with work.at(8):
        if first.investigation.team_id != work.team.pk:
            services.investigation_assign(acting_user=None, investigation=first.investigation,
                                          team=work.team)
        contact = services.contact_confirm(acting_user=work.tracer, contact=contact,
                                           category=Category.CLOSE, setting=Setting.VENUE,
                                           reason=CLOSER_REASON)
    second = _take_over(work, _positive(work, contact.control_order, 1))
    household = Contact.objects.filter(case=second, status=ContactStatus.PROPOSED,
                                       category=Category.CLOSE,
                                       person__in=_free(Person.objects.all())
                                       ).order_by("person_id")
    with work.at(_hours(work, second.reported_at) + 3):
        contact = services.contact_confirm(acting_user=work.tracer, contact=household.first())
    third = _take_over(work, _positive(work, contact.control_order, 2))
    work.summary.confirmed += 2
    work.summary.chain = [case.number for case in (first, second, third)]


def _take_over(work: _Work, case: Case) -> Case:
    """The tracer's team takes the new case's investigation and starts it within the hour."""
    with work.at(_hours(work, case.reported_at) + 1):
        investigation = case.investigation
        if investigation.team_id != work.team.pk:
            investigation = services.investigation_assign(
                acting_user=None, investigation=investigation, team=work.team)
        services.investigation_advance(acting_user=work.tracer, investigation=investigation,
                                       status=Status.IN_PROGRESS)
    return case


def _hours(work: _Work, at: datetime.datetime) -> float:
    return (at - work.start) / HOUR


def _free(people):
    """Of these people, those who are no case and under no isolation yet."""
    return (people.exclude(pk__in=Case.objects.values("person_id"))
            .exclude(pk__in=ControlOrder.objects.filter(
                kind__in=ISOLATING, status=OrderStatus.ACTIVE).values("person_id")))


def _first_link(cases: list[Case], team: Team) -> tuple[Case, Contact]:
    """The most recent worked case of the tracer's district, still open, with a companion
    still proposed who is under no isolation and lives with someone else who is neither;
    raises when the check-ins found none."""
    home = [c for c in cases if c.district_id == team.place_id]
    for case in reversed(home or cases):
        companions = (Contact.objects.filter(
            case=case, status=ContactStatus.PROPOSED, category=Category.COMPANION,
            case__investigation__status__in=OPEN_STATUSES,
            person__in=_free(Person.objects.active()))
            .select_related("person").order_by("person_id"))
        for contact in companions:
            if _free(Person.objects.active().filter(
                    household_id=contact.person.household_id).exclude(
                    pk=contact.person_id)).exists():
                return Case.objects.select_related("investigation").get(pk=case.pk), contact
    raise DemoCasesMissing("no companion with a household")


def _positive(work: _Work, order, test_number: int) -> Case:
    """The order's scheduled test `test_number` (0 the first), taken that morning, is
    positive: the order ends and the person is reported as a case found under control."""
    test = order.tests.order_by("day")[test_number]
    noon = datetime.datetime.combine(test.day, datetime.time(11),
                                     tzinfo=ZoneInfo(settings.TIME_ZONE))
    with time_machine.travel(noon, tick=False):
        case = control.control_test_record(acting_user=None, order=order, day=test.day,
                                           result=Result.POSITIVE)
    return Case.objects.select_related("investigation").get(pk=case.pk)
