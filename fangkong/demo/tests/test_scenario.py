"""`fangkong simulate shuozhou-2022-11`: the seed page's figures from records written
through the case services.

The scenario writes some 2,400 cases with their courses, so it runs once for the class
`TestShuozhouScenario` (inside a transaction rolled back afterwards); the cheap refusals
run on their own.
"""

import datetime
import random
from collections import Counter
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count
from django.test import override_settings

from fangkong.accounts.models import User
from fangkong.audit.models import AuditEvent
from fangkong.cases.models import (
    Case,
    CaseEvent,
    CaseTest,
    Classification,
    ClinicalType,
    EventKind,
    Facility,
    FacilityKind,
    FacilityStay,
    Outbreak,
    Outcome,
)
from fangkong.cases.rules import discharge_verdict
from fangkong.cases.selectors import bucket_q, occupancy
from fangkong.cases.services import outbreak_create
from fangkong.demo.scenario.data import cumulative, load_scenario
from fangkong.demo.scenario.plan import make_plan
from fangkong.demo.scenario.residents import ResidentPool, district_places, residents
from fangkong.demo.seeding import seed_city
from fangkong.demo.users import demo_users_ensure
from fangkong.lib.localday import days
from fangkong.people.models import Person
from fangkong.places.models import Level, Place
from fangkong.reports.bulletin import bulletin

CODE = "shuozhou-2022-11"
SCALE = 0.005        # 朔城区 about 2,650 residents, 应县 about 1,450: enough for the scenario
TOO_SMALL = 0.002    # 朔城区 about 1,060 residents: not enough
TZ = ZoneInfo("Asia/Shanghai")
AS_OF = datetime.date(2022, 11, 28)
SEED_PAGE = {"confirmed": 399, "asymptomatic": 1836, "discharged": 59, "released": 130,
             "in_hospital": 340, "under_observation": 1706, "deaths": 0}
# The seed page splits confirmed and asymptomatic by district; the rest of the split is the
# scenario's (discharges and releases in each district add up to the page's totals).
BY_DISTRICT = {
    "朔城区": {"confirmed": 143, "asymptomatic": 1280, "discharged": 42, "released": 100,
            "in_hospital": 101, "under_observation": 1180, "deaths": 0},
    "应县": {"confirmed": 256, "asymptomatic": 556, "discharged": 17, "released": 30,
           "in_hospital": 239, "under_observation": 526, "deaths": 0},
}
PASS_CT = 35
STOCKS = ("discharged", "released", "in_hospital", "under_observation", "deaths")


def simulate(*args) -> str:
    out = StringIO()
    call_command("simulate", CODE, *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def local(day: datetime.date, hour: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=TZ)


@pytest.fixture(scope="class")
def world(django_db_setup, django_db_blocker):
    """A demo city with its demo accounts and the scenario, rolled back after the class."""
    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
            seed_city(scale=SCALE, seed=1)
            demo_users_ensure()
        output = simulate()
        yield {"output": output, "user": User.objects.get(username="zhihui"),
               "outbreak": Outbreak.objects.get(code=CODE)}
        transaction.set_rollback(True)


@pytest.mark.slow
@pytest.mark.django_db
class TestShuozhouScenario:
    def test_the_bulletin_of_28_november_gives_the_seed_page_figures(self, world):
        figures = bulletin(world["user"], AS_OF, world["outbreak"])
        assert {key: figures[key] for key in STOCKS} == {key: SEED_PAGE[key] for key in STOCKS}
        assert figures["cumulative"]["confirmed"] == SEED_PAGE["confirmed"]
        assert figures["cumulative"]["asymptomatic"] == SEED_PAGE["asymptomatic"]
        assert figures["cumulative"]["by_district"] == BY_DISTRICT
        scenario = load_scenario(CODE)
        assert {name: cumulative(scenario, name, AS_OF) for name in BY_DISTRICT} == BY_DISTRICT
        assert Case.objects.filter(outbreak=world["outbreak"],
                                   reported_at__lt=local(AS_OF + datetime.timedelta(1))
                                   ).count() == 399 + 1836

    def test_a_district_user_sees_only_their_district(self, world):
        quxian = User.objects.get(username="quxian")
        figures = bulletin(quxian, AS_OF, world["outbreak"])
        assert list(figures["cumulative"]["by_district"]) == ["朔城区"]
        assert figures["cumulative"]["confirmed"] == 143
        assert figures["cumulative"]["asymptomatic"] == 1280
        assert figures["in_hospital"] == 101 and figures["under_observation"] == 1180

    def test_every_day_keeps_the_bulletin_identities(self, world):
        for day in days(datetime.date(2022, 11, 13), datetime.date(2022, 12, 5)):
            figures = bulletin(world["user"], day, world["outbreak"])
            city = {**figures["cumulative"], **{k: figures[k] for k in STOCKS}}
            for row in [city, *figures["cumulative"]["by_district"].values()]:
                assert row["confirmed"] == row["discharged"] + row["in_hospital"] \
                    + row["deaths"], day
                assert row["asymptomatic"] == row["released"] + row["under_observation"], day

    def test_the_provincial_bulletin_anchors_are_honoured(self, world):
        outbreak, user = world["outbreak"], world["user"]
        for anchor in load_scenario(CODE).anchors:
            day = datetime.date.fromisoformat(anchor["date"])
            new = bulletin(user, day, outbreak)["new"]["by_district"][anchor["district"]]
            for key in ("confirmed", "asymptomatic"):
                if key in anchor:
                    assert new[key] == anchor[key], anchor
            if "discharged" in anchor:
                discharged = Case.objects.filter(bucket_q("new_discharged", day),
                                                 outbreak=outbreak,
                                                 district__name=anchor["district"])
                assert discharged.count() == anchor["discharged"], anchor

    def test_the_curve_rises_peaks_around_the_22nd_and_declines(self, world):
        per_day = Counter(
            c.reported_at.astimezone(TZ).date()
            for c in Case.objects.filter(outbreak=world["outbreak"]).only("reported_at"))
        peak = max(per_day, key=per_day.get)
        assert datetime.date(2022, 11, 19) <= peak <= datetime.date(2022, 11, 23)
        assert per_day[datetime.date(2022, 11, 13)] < per_day[datetime.date(2022, 11, 17)] \
            < per_day[peak]
        assert per_day[datetime.date(2022, 11, 28)] < 0.6 * per_day[peak]
        assert per_day[datetime.date(2022, 12, 5)] < per_day[datetime.date(2022, 11, 29)]

    def test_early_cases_are_found_in_the_community_and_late_ones_under_control(self, world):
        cases = Case.objects.filter(outbreak=world["outbreak"])
        early = cases.filter(reported_at__lt=local(datetime.date(2022, 11, 18)))
        late = cases.filter(reported_at__gte=local(datetime.date(2022, 11, 24)))
        assert early.filter(in_control=False).count() > 0.6 * early.count()
        assert late.filter(in_control=True).count() > 0.9 * late.count()
        assert not cases.filter(reported_at__gte=local(datetime.date(2022, 11, 28)),
                                reported_at__lt=local(datetime.date(2022, 11, 29)),
                                in_control=False).exists()

    def test_reclassifications_follow_their_report_by_one_to_four_days(self, world):
        reclassified = Case.objects.filter(outbreak=world["outbreak"],
                                           reclassified_at__isnull=False)
        assert reclassified.filter(reclassified_at__lt=local(AS_OF + datetime.timedelta(1))
                                   ).count() == 80
        for case in reclassified:
            assert case.initial_classification == Classification.ASYMPTOMATIC
            assert case.classification == Classification.CONFIRMED
            gap = (case.reclassified_at.astimezone(TZ).date()
                   - case.reported_at.astimezone(TZ).date()).days
            assert 1 <= gap <= 4
            assert case.onset_date is not None

    def test_confirmed_cases_are_mostly_mild_and_carry_onset_and_sample_dates(self, world):
        cases = Case.objects.filter(outbreak=world["outbreak"])
        confirmed = cases.filter(classification=Classification.CONFIRMED)
        types = Counter(confirmed.values_list("clinical_type", flat=True))
        assert types[ClinicalType.MILD] > 0.6 * confirmed.count()
        assert types[ClinicalType.MODERATE] > 0
        changes = CaseEvent.objects.filter(case__outbreak=world["outbreak"],
                                           kind=EventKind.CLINICAL_TYPE)
        assert changes.filter(detail__from=ClinicalType.SEVERE).exists()
        assert changes.filter(detail__from=ClinicalType.MILD).exists()
        assert not confirmed.filter(onset_date__isnull=True).exists()
        assert not cases.filter(classification=Classification.ASYMPTOMATIC,
                                onset_date__isnull=False).exists()
        for case in cases.only("reported_at", "sample_date"):
            lag = (case.reported_at.astimezone(TZ).date() - case.sample_date).days
            assert lag in (0, 1)

    def test_every_outcome_follows_two_passing_tests_a_day_apart(self, world):
        closed = Case.objects.filter(outbreak=world["outbreak"]).exclude(outcome="")
        assert closed.filter(outcome=Outcome.DISCHARGED).count() > 59
        assert not closed.filter(outcome=Outcome.DIED).exists()
        for case in closed.prefetch_related("tests"):
            assert discharge_verdict(case, case.outcome_at).ok, case.number
            last_two = [t for t in case.tests.all() if t.sampled_at <= case.outcome_at][-2:]
            assert all(ct is None or ct >= PASS_CT
                       for t in last_two for ct in (t.ct_n, t.ct_orf1ab))
            assert last_two[1].sampled_at - last_two[0].sampled_at >= datetime.timedelta(
                hours=24)
            assert case.facility_id is None
        failing = CaseTest.objects.filter(case__outbreak=world["outbreak"], ct_n__lt=PASS_CT)
        assert failing.filter(case__outcome="").exists()
        assert failing.exclude(case__outcome="").exists()

    def test_cases_are_distinct_residents_clustered_in_households(self, world):
        cases = Case.objects.filter(outbreak=world["outbreak"]).select_related(
            "person__household", "district")
        assert len({c.person_id for c in cases}) == cases.count()
        for case in cases:
            assert case.place_id == case.person.household_id
            assert case.person.household.path.startswith(case.district.path)
        per_household = Counter(c.place_id for c in cases)
        shared = sum(n for n in per_household.values() if n > 1)
        assert shared > 0.3 * cases.count()
        districts = set(cases.values_list("district__name", flat=True))
        assert districts == {"朔城区", "应县"}

    def test_cases_stay_in_the_right_facilities_within_their_beds(self, world):
        outbreak = world["outbreak"]
        facilities = {f.name: f for f in Facility.objects.all()}
        assert set(facilities) == {"朔州市人民医院传染病院区", "朔州市中医院", "市大医院方舱医院",
                                   "朔城区人民医院主院区", "应县方舱医院"}
        assert not Case.objects.filter(outbreak=outbreak).annotate(
            n_stays=Count("stays")).filter(n_stays=0).exists()
        open_on_28th = Case.objects.filter(bucket_q("in_hospital", AS_OF), outbreak=outbreak)
        for stay in FacilityStay.objects.filter(
                case__in=open_on_28th, admitted_at__lt=local(AS_OF + datetime.timedelta(1))
        ).exclude(left_at__lt=local(AS_OF + datetime.timedelta(1))).select_related("facility"):
            assert stay.facility.kind == FacilityKind.DESIGNATED_HOSPITAL
        transfers = CaseEvent.objects.filter(case__outbreak=outbreak,
                                             kind=EventKind.TRANSFERRED).count()
        assert transfers == Case.objects.filter(outbreak=outbreak,
                                                reclassified_at__isnull=False).count()
        for day in days(datetime.date(2022, 11, 13), datetime.date(2022, 12, 5)):
            for facility_id, used in occupancy(list(facilities.values()), day).items():
                facility = next(f for f in facilities.values() if f.pk == facility_id)
                assert used <= facility.beds, (day, facility.name)
        assert occupancy([facilities["市大医院方舱医院"]], AS_OF)

    def test_the_command_centre_account_is_the_actor(self, world):
        events = CaseEvent.objects.filter(case__outbreak=world["outbreak"])
        assert not events.exclude(actor=world["user"]).exists()
        assert AuditEvent.objects.filter(action="case.report",
                                         actor=world["user"]).count() == \
            Case.objects.filter(outbreak=world["outbreak"]).count()

    def test_residents_are_read_in_one_query_per_district(self, world,
                                                         django_assert_num_queries):
        places = district_places(load_scenario(CODE).districts)
        with django_assert_num_queries(1):
            rows = residents(places["应县"])
        assert len(rows) == Person.objects.filter(
            household__path__startswith=places["应县"].path).count()

    def test_the_summary_is_one_line(self, world):
        lines = world["output"].strip().splitlines()
        assert len(lines) == 1 and CODE in lines[0]

    def test_running_again_with_if_absent_changes_nothing(self, world):
        before = (Case.objects.count(), CaseEvent.objects.count(), AuditEvent.objects.count())
        output = simulate("--if-absent")
        assert CODE in output
        assert (Case.objects.count(), CaseEvent.objects.count(),
                AuditEvent.objects.count()) == before

    def test_running_again_without_if_absent_is_refused(self, world):
        before = Case.objects.count()
        with pytest.raises(CommandError, match=CODE):
            simulate()
        assert Case.objects.count() == before


# --- refusals, each on its own small database ------------------------------------------

@pytest.mark.django_db
def test_a_city_too_small_for_the_scenario_is_refused_and_nothing_is_written():
    seed_city(scale=TOO_SMALL, seed=1)
    with pytest.raises(CommandError, match="朔城区"):
        simulate()
    assert not Outbreak.objects.exists() and not Case.objects.exists()
    assert not Facility.objects.exists()


@pytest.mark.django_db
def test_without_a_demo_city_the_command_says_so():
    with pytest.raises(CommandError, match="seed-city"):
        simulate()


@pytest.mark.django_db
def test_an_existing_outbreak_is_skipped_with_if_absent_and_refused_without():
    seed_city(scale=TOO_SMALL, seed=1)
    districts = list(Place.objects.filter(level=Level.DISTRICT, code__in=["140602", "140622"]))
    outbreak_create(acting_user=None, code=CODE, name="x", start_date=datetime.date(2022, 11, 13),
                    places=districts)
    audit_events = AuditEvent.objects.count()
    assert CODE in simulate("--if-absent")
    with pytest.raises(CommandError, match="--if-absent"):
        simulate()
    assert not Case.objects.exists() and AuditEvent.objects.count() == audit_events


@pytest.mark.django_db
def test_an_unknown_scenario_is_refused():
    with pytest.raises(CommandError, match=CODE):
        call_command("simulate", "wuhan-2020-01", stdout=StringIO())


def test_the_plan_is_the_same_for_a_seed_and_differs_between_seeds():
    scenario = load_scenario(CODE)

    def fingerprint(seed):
        return [(p.district, p.reported_at, p.classification, p.route, p.outcome,
                 [(s.at, s.action) for s in p.steps]) for p in make_plan(scenario, seed)]

    assert fingerprint(1) == fingerprint(1)
    assert fingerprint(1) != fingerprint(2)


@pytest.mark.parametrize("seed", range(1, 9))
def test_every_seed_can_be_planned(seed):
    plans = make_plan(load_scenario(CODE), seed)
    assert sum(1 for p in plans if p.reported_at < local(AS_OF + datetime.timedelta(1))) == 2235


def test_residents_are_picked_once_each_until_none_is_left_and_the_same_for_a_seed():
    # Two compounds of two buildings of 10 households of 3, plus a village of 10 households.
    paths = [f"00001000010000100001{compound:05d}{building:05d}00001{household:05d}"
             for compound in (1, 2) for building in (1, 2) for household in range(10)]
    paths += [f"00001000010000100002{household:05d}" for household in range(10)]
    rows = [(3 * index + member + 1, index, path) for index, path in enumerate(paths)
            for member in range(3)]

    def picks(seed):
        pool = ResidentPool(rows, random.Random(seed))
        return [pool.pick(in_control=index % 3 != 0) for index in range(len(rows))]

    assert sorted(picks(1)) == list(range(1, len(rows) + 1))
    assert picks(1) == picks(1) != picks(2)
