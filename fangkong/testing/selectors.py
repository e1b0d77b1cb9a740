"""Reads of mass testing, scoped to the acting user: rounds, sites, tubes, coverage (应检尽检)
and turnaround (采送检报).

Coverage is derived, never stored: the round's target is everyone living in its places;
a person is sampled once they have a first-time sample in the round, exempt when an
exemption is recorded for them or they are an open case or in centralised isolation (and
not sampled), untested otherwise. So sampled + exempt + untested = target, at every level.
"""

import datetime
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, FilteredRelation, OuterRef, Q, QuerySet

from fangkong.accounts.roles import Role
from fangkong.people.models import IdType, Person
from fangkong.places.models import PATH_STEP, Place
from fangkong.testing.models import (
    Exemption,
    Laboratory,
    Retest,
    RoundPlace,
    Sample,
    SamplingSite,
    Slot,
    TestRound,
    Tube,
    TubeStatus,
)


def rounds_for_user(user) -> QuerySet:
    """Rounds over places that overlap the user's area (or hold a resident's home)."""
    if not getattr(user, "is_authenticated", False):
        return TestRound.objects.none()
    if user.role == Role.RESIDENT:
        if not user.person_id:
            return TestRound.objects.none()
        path = user.person.household.path
    elif user.role == Role.LABORATORY:
        return TestRound.objects.filter(tubes__lab__members=user).distinct()
    elif user.role == Role.SAMPLER:
        return _rounds_over_sites(user)
    else:
        path = user.scope_path
        if not path:
            return TestRound.objects.none()
    above = [path[:end] for end in range(PATH_STEP, len(path) + 1, PATH_STEP)]
    overlapping = RoundPlace.objects.filter(Q(place__path__startswith=path)
                                            | Q(place__path__in=above))
    return TestRound.objects.filter(pk__in=overlapping.values("round_id"))


def _rounds_over_sites(user) -> QuerySet:
    """A sampler's rounds: those whose places hold one of the sampler's sites."""
    paths = SamplingSite.objects.accessible_to(user).values_list("venue__place__path",
                                                                 flat=True)
    above = {path[:end] for path in paths for end in range(PATH_STEP, len(path) + 1, PATH_STEP)}
    return TestRound.objects.filter(round_places__place__path__in=above).distinct()


def sites_for_user(user) -> QuerySet:
    return SamplingSite.objects.accessible_to(user).select_related("venue__place")


def tubes_for_user(user) -> QuerySet:
    return Tube.objects.accessible_to(user)


def labs_for_user(user) -> QuerySet:
    if getattr(user, "role", None) == Role.LABORATORY:
        return Laboratory.objects.filter(members=user)
    return Laboratory.objects.all() if getattr(user, "scope_path", None) else \
        Laboratory.objects.none()


def retests_for_user(user) -> QuerySet:
    return Retest.objects.accessible_to(user).select_related("person__household", "pool",
                                                             "tube")


def round_people(test_round: TestRound) -> QuerySet:
    """Everyone the round should sample: the people living in its places."""
    paths = list(test_round.round_places.values_list("place__path", flat=True))
    where = Q()
    for path in paths:
        where |= Q(household__path__startswith=path)
    return Person.objects.active().filter(where) if paths else Person.objects.none()


def _sampled(test_round: TestRound) -> Exists:
    return Exists(Sample.objects.filter(round=test_round, retest=False,
                                        person=OuterRef("pk")))


def exempt_people(test_round: TestRound, people: QuerySet) -> dict[int, str]:
    """{person id: reason} of the people exempt from the round and not sampled in it."""
    from fangkong.cases.models import Case
    from fangkong.control.models import ControlOrder, OrderKind, OrderStatus
    from fangkong.testing.models import ExemptReason

    # Read from the few orders, cases and exemptions, each checked against `people` and the
    # round's samples, rather than from all of `people`: most places have none of them.
    among = Exists(people.filter(pk=OuterRef("person_id")))
    unsampled = ~Exists(Sample.objects.filter(round=test_round, retest=False,
                                              person=OuterRef("person_id")))
    found = {}
    orders = ControlOrder.objects.filter(among, unsampled,
                                         kind=OrderKind.CENTRALISED_ISOLATION,
                                         status=OrderStatus.ACTIVE)
    found.update(dict.fromkeys(orders.values_list("person_id", flat=True),
                               ExemptReason.CENTRALISED))
    cases = Case.objects.filter(among, unsampled, outcome="")
    found.update(dict.fromkeys(cases.values_list("person_id", flat=True), ExemptReason.CASE))
    found.update(Exemption.objects.filter(among, unsampled, round=test_round)
                 .values_list("person_id", "reason"))
    return found


@dataclass
class Figures:
    target: int = 0
    sampled: int = 0
    results_back: int = 0
    exempt: int = 0

    @property
    def untested(self) -> int:
        return self.target - self.sampled - self.exempt

    @property
    def share(self) -> float:
        return self.sampled / (self.target - self.exempt) if self.target > self.exempt else 1.0

    def add(self, other: "Figures") -> None:
        self.target += other.target
        self.sampled += other.sampled
        self.results_back += other.results_back
        self.exempt += other.exempt


@dataclass
class Coverage:
    place: Place
    total: Figures
    groups: list[tuple[Place, Figures]] = field(default_factory=list)  # unit/village rows
    exempt: dict[int, str] = field(default_factory=dict)  # person id: reason


def _figures_by_group(test_round: TestRound,
                      people: QuerySet) -> tuple[dict[int, Figures], dict[int, str]]:
    """Figures by household parent (unit, or village) over `people`: one pass over the
    people, each with their first-time sample of the round (at most one, by constraint) and
    its tube; then the exempt, returned too ({person id: reason})."""
    by_group: dict[int, Figures] = defaultdict(Figures)
    first = FilteredRelation("samples", condition=Q(samples__round=test_round,
                                                     samples__retest=False))
    rows = (people.annotate(first=first).values_list("household__parent_id")
            .annotate(n=Count("id"), sampled=Count("first"),
                      back=Count("first", filter=~Q(first__tube__result=""))))
    for parent, n, sampled, back in rows:
        figures = by_group[parent]
        figures.target, figures.sampled, figures.results_back = n, sampled, back
    exempt = exempt_people(test_round, people)
    if exempt:
        for parent, n in (Person.objects.filter(pk__in=list(exempt))
                          .values_list("household__parent_id").annotate(n=Count("id"))):
            by_group[parent].exempt = n
    return by_group, exempt


def coverage(test_round: TestRound, place: Place) -> Coverage:
    """Target, sampled, results back and exempt for a place and each unit (or village)
    under it."""
    people = round_people(test_round).filter(household__path__startswith=place.path)
    by_group, exempt = _figures_by_group(test_round, people)
    groups = Place.objects.in_bulk(list(by_group))
    total = Figures()
    rows = []
    for pk, figures in by_group.items():
        total.add(figures)
        rows.append((groups[pk], figures))
    rows.sort(key=lambda row: row[0].path)
    return Coverage(place, total, rows, exempt)


def coverage_tree(test_round: TestRound, below: Place | None = None) -> dict[str, Figures]:
    """Figures for every place of the round (or under `below`), keyed by place path: one
    pass by unit, rolled up the tree."""
    people = round_people(test_round)
    if below is not None:
        people = people.filter(household__path__startswith=below.path)
    by_group, _exempt = _figures_by_group(test_round, people)
    paths = dict(Place.objects.filter(pk__in=list(by_group)).values_list("pk", "path"))
    tree: dict[str, Figures] = defaultdict(Figures)
    for pk, figures in by_group.items():
        path = paths[pk]
        for end in range(PATH_STEP, len(path) + 1, PATH_STEP):
            tree[path[:end]].add(figures)
    return dict(tree)


def untested(test_round: TestRound, place: Place,
             exempt: dict[int, str] | None = None) -> QuerySet:
    """应检未检: the people of the round under `place` not sampled and not exempt, by
    building and unit — the chase list. `exempt`: the place's exempt, if already read
    (`Coverage.exempt`)."""
    people = round_people(test_round).filter(household__path__startswith=place.path)
    if exempt is None:
        exempt = exempt_people(test_round, people)
    return (people.exclude(_sampled(test_round)).exclude(pk__in=list(exempt))
            .select_related("household").order_by("household__path", "name"))


def slot_for(test_round: TestRound, person: Person) -> Slot | None:
    """The time and site a person is called to in a round."""
    path = person.household.path
    return (Slot.objects.filter(round=test_round, path_from__lte=path, path_to__gte=path)
            .select_related("site__venue").first())


def person_sample(test_round: TestRound, person: Person) -> Sample | None:
    return (Sample.objects.filter(round=test_round, person=person, retest=False)
            .select_related("tube").first())


@dataclass
class LabTurnaround:
    lab: Laboratory
    reported: int
    median_to_receive: float | None     # hours, sampling closed → received
    median_to_report: float | None      # hours, received → reported
    median_total: float | None          # hours, sampling closed → reported
    within_target: float | None         # share of reported tubes within the target
    outstanding: int
    oldest: list[Tube]


def _hours(delta: datetime.timedelta) -> float:
    return delta.total_seconds() / 3600


def turnaround(user, *, target_hours: float, since: datetime.datetime | None = None,
               oldest: int = 10) -> list[LabTurnaround]:
    """采送检报 by laboratory: the median hours of each leg, the share within the target,
    and the oldest tubes still without a result."""
    tubes = tubes_for_user(user).exclude(lab__isnull=True)
    if since is not None:
        tubes = tubes.filter(closed_at__gte=since)
    rows = defaultdict(list)
    for lab_id, closed, received, reported in (
            tubes.filter(status=TubeStatus.REPORTED)
            .values_list("lab_id", "closed_at", "received_at", "reported_at")):
        rows[lab_id].append((closed, received, reported))
    waiting = (tubes_for_user(user).filter(status__in=[TubeStatus.CLOSED, TubeStatus.RECEIVED])
               .exclude(lab__isnull=True))
    counts = dict(waiting.values_list("lab_id").annotate(n=Count("id")))
    labs = Laboratory.objects.in_bulk(set(rows) | set(counts))
    out = []
    for lab_id, lab in sorted(labs.items(), key=lambda item: item[1].name):
        done = [r for r in rows.get(lab_id, []) if r[0] is not None]
        legs = [[_hours(b - a) for a, b, _c in done], [_hours(c - b) for _a, b, c in done],
                [_hours(c - a) for a, _b, c in done]]
        medians = [statistics.median(leg) if leg else None for leg in legs]
        within = (sum(1 for h in legs[2] if h <= target_hours) / len(legs[2])
                  if legs[2] else None)
        out.append(LabTurnaround(
            lab, len(rows.get(lab_id, [])), *medians, within, counts.get(lab_id, 0),
            list(waiting.filter(lab_id=lab_id).select_related("lab", "site__venue", "place")
                 .order_by("closed_at")[:oldest])))
    return out


def unsent_tubes(user) -> QuerySet:
    """Closed tubes no laboratory has received yet, oldest first."""
    return (tubes_for_user(user).filter(status=TubeStatus.CLOSED, lab__isnull=True)
            .order_by("closed_at"))


def normalise_id_number(raw: str) -> str:
    return (raw or "").strip().replace(" ", "").upper()


def person_by_id_number(id_number: str) -> Person | None:
    """The person whose mainland ID card the sampler holds. Not limited to the sampler's
    area: people are sampled where they queue, not where they live, and the terminals'
    batch path (`services.bind_batch`) finds them the same way."""
    number = normalise_id_number(id_number)
    if not number:
        return None
    return (Person.objects.filter(id_type=IdType.MAINLAND, id_number=number)
            .select_related("merged_into").first())
