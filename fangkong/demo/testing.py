"""Mass testing on the demo city: two laboratories, a sampling site per compound of the demo
street, round 1 (22 Nov 2022) sampled, resulted and followed up, and round 2 open today.

Everything goes through the testing services, as a sampling terminal, a laboratory and the
organisers would. Round 1 leaves about 3 % of the street untested (so the chase list has
names) and two people exempt; exactly one pool in the demo community comes back positive,
so its members are under temporary control and the demo sampler `caiyang` has door-to-door
retests to take. Round 2 starts today with its schedule built and nothing sampled, so the
sampler can sample live. A positive single retest reports a case, which needs an outbreak
on record: `fangkong simulate shuozhou-2022-11` creates it.
"""

import datetime
import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from fangkong.accounts.models import User
from fangkong.control.models import ControlOrder, OrderKind, OrderStatus
from fangkong.demo.users import demo_places, demo_users_ensure
from fangkong.people.models import Person
from fangkong.places.models import Level, Place
from fangkong.places.services import venue_create
from fangkong.testing import services
from fangkong.testing.models import (
    ExemptReason,
    Laboratory,
    RoundStatus,
    Sample,
    SamplingSite,
    Slot,
    TestRound,
    Tube,
    TubeResult,
    TubeStatus,
)
from fangkong.testing.plan_reads import slot_finder
from fangkong.testing.result_rules import ResultRow
from fangkong.testing.selectors import coverage_tree, exempt_people, round_people

TZ = ZoneInfo("Asia/Shanghai")
LABS = (("朔州市疾控中心实验室", "sz-cdc"), ("朔州市第三方医学检验实验室", "sz-third"))
ROUND1_DAY = datetime.date(2022, 11, 22)
ROUND1_HOURS = (7, 19)
ROUND2_HOURS = (7, 21)
UNTESTED_EVERY = 33          # one person in 33 is not sampled: about 3 %
POOL_SIZE = 10
RESULT_FILE_ROWS = 2000      # tubes in one laboratory upload
SITE_HOURS = 10              # a site should take its compound in about this many hours
POSITIVE_CT = (Decimal("28.0"), Decimal("30.0"))


class DemoTestingExists(RuntimeError):
    pass


@dataclass
class DemoTestingSummary:
    labs: list[str] = field(default_factory=list)
    sites: list[str] = field(default_factory=list)
    sampler_sites: int = 0
    round1: TestRound | None = None
    target: int = 0
    sampled: int = 0
    exempt: int = 0
    untested: int = 0
    tubes: int = 0
    positive_pool: str = ""
    controlled: int = 0
    round2: TestRound | None = None
    round2_slots: int = 0


def demo_testing_exists() -> bool:
    return TestRound.objects.exists()


@transaction.atomic
def demo_testing_create() -> DemoTestingSummary:
    """Build the demo's mass testing on the seeded demo city (raises DemoCityMissing
    without it, DemoTestingExists when a round exists already)."""
    if demo_testing_exists():
        raise DemoTestingExists
    demo_users_ensure()
    places = demo_places()
    users = {u.username: u for u in User.objects.filter(
        username__in=["caiyang", "jiance"])}
    summary = DemoTestingSummary()
    labs = _labs(places["city"], users["jiance"], summary)
    sites = _sites(places["street"], summary)
    for site in sites:
        if site.venue.place.path.startswith(places["community"].path):
            services.site_assign(acting_user=None, site=site,
                                 samplers=[users["caiyang"]])
            summary.sampler_sites += 1
    _round1(places, sites, labs, summary)
    _round2(places["street"], summary)
    return summary


def _labs(city: Place, member: User, summary) -> list[Laboratory]:
    labs = []
    for index, (name, code) in enumerate(LABS):
        labs.append(services.lab_create(acting_user=None, name=name, code=code, place=city,
                                        members=[member] if index == 0 else []))
        summary.labs.append(f"{name} ({code})")
    return labs


def _sites(street: Place, summary) -> list[SamplingSite]:
    """One site per compound of the street, sized to take its residents in about ten hours:
    2 to 4 sampling points taking 60 to 90 people an hour each."""
    sites = []
    compounds = Place.objects.subtree(street).filter(level=Level.COMPOUND).order_by("path")
    for index, compound in enumerate(compounds):
        per_point_hour = 60 + 15 * (index % 3)
        people = Person.objects.active().filter(
            household__path__startswith=compound.path).count()
        points = min(4, max(2, math.ceil(people / (per_point_hour * SITE_HOURS))))
        venue = venue_create(acting_user=None, place=compound, kind="other",
                             name=f"{compound.name}核酸采样点")
        sites.append(services.site_create(acting_user=None, venue=venue, points=points,
                                          per_point_hour=per_point_hour))
        summary.sites.append(venue.name)
    return sites


def _local(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=TZ)


# --- round 1: sampled, resulted, followed up ----------------------------------------------

def _round1(places, sites, labs, summary) -> None:
    street, community = places["street"], places["community"]
    start, end = (_local(ROUND1_DAY, h) for h in ROUND1_HOURS)
    test_round = services.round_create(acting_user=None, number=1, name="全员核酸 第1轮",
                                       starts_at=start, ends_at=end, places=[(street, "low")])
    services.schedule_build(acting_user=None, test_round=test_round, place=street)
    test_round = services.round_set_status(acting_user=None, test_round=test_round,
                                           status=RoundStatus.OPEN)
    resident = places["person"]
    _exempt(test_round, community, resident)
    everyone = round_people(test_round)
    exempt = set(exempt_people(test_round, everyone))  # and open cases, the isolated
    people = [p for p in everyone.select_related("household")
              .order_by("household__path", "id")
              if p.pk not in exempt and (p.pk % UNTESTED_EVERY or p.pk == resident.pk)]
    _bind(test_round, sites, people)
    tubes = list(Tube.objects.filter(round=test_round).order_by("closed_at", "barcode"))
    positive = _positive_pool(tubes, community, resident)
    _results(tubes, labs, positive, summary)
    services.round_set_status(acting_user=None, test_round=test_round,
                              status=RoundStatus.CLOSED)
    figures = coverage_tree(test_round)[street.path]
    summary.round1, summary.tubes = test_round, len(tubes)
    summary.target, summary.sampled = figures.target, figures.sampled
    summary.exempt, summary.untested = figures.exempt, figures.untested
    summary.positive_pool = positive.barcode
    summary.controlled = ControlOrder.objects.filter(
        kind=OrderKind.TEMPORARY_CONTROL, status=OrderStatus.ACTIVE,
        basis_ref=f"tube:{positive.barcode}").count()


def _exempt(test_round, community, resident) -> None:
    """Two people of the demo community exempt: the oldest (bedridden, sampled at home
    later) and the youngest adult (away from home)."""
    people = (round_people(test_round).filter(household__path__startswith=community.path)
              .exclude(pk=resident.pk))
    oldest = people.order_by("birth_date", "id").first()
    adult = ROUND1_DAY.replace(year=ROUND1_DAY.year - 18)
    away = (people.exclude(pk=oldest.pk).filter(birth_date__lte=adult)
            .order_by("-birth_date", "id").first())
    for person, reason in ((oldest, ExemptReason.BEDRIDDEN), (away, ExemptReason.AWAY)):
        services.exemption_record(acting_user=None, test_round=test_round, person=person,
                                  reason=reason)


def _bind(test_round, sites, people) -> None:
    """Each unit's people at the site and time of its slot, ten to a tube, uploaded by the
    sites' terminals; a site's last tube is closed when its queue ends."""
    slots = list(Slot.objects.filter(round=test_round).order_by("path_from"))
    fallback = sites[0]
    by_site: dict[int, list] = defaultdict(list)
    serial = 0
    for slot, group in _grouped(slots, people):
        site = next((s for s in sites if s.pk == slot.site_id), fallback) if slot else fallback
        start = slot.starts_at if slot else test_round.ends_at - datetime.timedelta(hours=1)
        length = (slot.ends_at - slot.starts_at) if slot else datetime.timedelta(minutes=50)
        for index, person in enumerate(group):
            if index % POOL_SIZE == 0:
                serial += 1
                at = start + length * (index / len(group))
            by_site[site.pk].append(services.Binding(f"SZ221122{serial:05d}",
                                                     person.id_number, at))
    for site in sites:
        if by_site[site.pk]:
            services.bind_batch(acting_user=None, test_round=test_round, site=site,
                                bindings=by_site[site.pk])
    for tube in Tube.objects.filter(round=test_round, status=TubeStatus.OPEN):
        services.tube_close(acting_user=None, tube=tube, at=tube.opened_at
                            + datetime.timedelta(minutes=5))


def _grouped(slots, people):
    """[(slot or None, its people)] in household order."""
    find = slot_finder(slots)
    groups, current, members = [], None, []
    for person in people:
        slot = find(person.household.path)
        if members and slot is not current:
            groups.append((current, members))
            members = []
        current = slot
        members.append(person)
    if members:
        groups.append((current, members))
    return groups


def _positive_pool(tubes, community, resident) -> Tube:
    """The first full tube of the demo community that does not hold the demo resident."""
    holding = set(Sample.objects.filter(person=resident).values_list("tube_id", flat=True))
    return next(t for t in tubes if t.size == POOL_SIZE and t.pk not in holding
                and Sample.objects.filter(tube=t, person__household__path__startswith=
                                          community.path).exists())


def _results(tubes, labs, positive, summary) -> None:
    """Morning tubes to the CDC laboratory at 13:30, the rest to the third-party one at
    19:30; each tests three hours after receiving and uploads its results in files."""
    noon = _local(ROUND1_DAY, 13)
    shares = {labs[0]: [t for t in tubes if t.closed_at < noon],
              labs[1]: [t for t in tubes if t.closed_at >= noon]}
    for lab, received in ((labs[0], _local(ROUND1_DAY, 13) + datetime.timedelta(minutes=30)),
                          (labs[1], _local(ROUND1_DAY, 19) + datetime.timedelta(minutes=30))):
        mine = shares[lab]
        if not mine:
            continue
        services.tubes_receive(acting_user=None, lab=lab, barcodes=[t.barcode for t in mine],
                               at=received)
        tested = received + datetime.timedelta(hours=3)
        rows = [_row(index, tube, tested, tube.pk == positive.pk)
                for index, tube in enumerate(mine)]
        for start in range(0, len(rows), RESULT_FILE_ROWS):
            services.results_record(acting_user=None, lab=lab,
                                    rows=rows[start:start + RESULT_FILE_ROWS], via="file",
                                    at=tested + datetime.timedelta(hours=1))


def _row(index: int, tube: Tube, tested: datetime.datetime, positive: bool) -> ResultRow:
    if positive:
        return ResultRow(f"row {index + 2}", tube.barcode, TubeResult.POSITIVE, *POSITIVE_CT,
                         tested)
    return ResultRow(f"row {index + 2}", tube.barcode, TubeResult.NEGATIVE, None, None, tested)


# --- round 2: open today --------------------------------------------------------------------

def _round2(street: Place, summary) -> None:
    """Today from 07:00 (or from this hour, if earlier, so the sampler can start at once)
    to 21:00, its schedule built, open, nothing sampled."""
    now = timezone.localtime(timezone.now(), TZ)
    start = min(_local(now.date(), ROUND2_HOURS[0]), now.replace(minute=0, second=0,
                                                                    microsecond=0))
    end = max(_local(now.date(), ROUND2_HOURS[1]), start + datetime.timedelta(hours=2))
    test_round = services.round_create(acting_user=None, number=2, name="全员核酸 第2轮",
                                       starts_at=start, ends_at=end, places=[(street, "low")])
    report = services.schedule_build(acting_user=None, test_round=test_round, place=street)
    summary.round2 = services.round_set_status(acting_user=None, test_round=test_round,
                                               status=RoundStatus.OPEN)
    summary.round2_slots = len(report.slots)
