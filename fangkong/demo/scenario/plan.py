"""Every case's course, decided in Python from the scenario's data and a seed.

For each district and day the plan reports the day's new confirmed cases and asymptomatic
infections, reclassifies asymptomatic infections reported one to four days before, and
discharges or releases the longest-treated cases that the course allows; then it adds the
clinical course, the tests towards discharge and the facility stays. Nothing here touches
the database: `write.py` replays the plan through the case services.
"""

import datetime
import heapq
import random
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings

from fangkong.cases.models import IN_CONTROL_ROUTES, Classification, ClinicalType, Outcome
from fangkong.demo.scenario.data import Scenario, ScenarioDataError

DAY = datetime.timedelta(days=1)
CONFIRMED, ASYMPTOMATIC = Classification.CONFIRMED, Classification.ASYMPTOMATIC


@dataclass
class Step:
    at: datetime.datetime
    action: str   # admit, reclassify, clinical_type, test, discharged, released
    args: dict = field(default_factory=dict)


@dataclass
class CasePlan:
    district: str
    reported_at: datetime.datetime
    classification: str
    route: str
    clinical_type: str = ""
    sample_date: datetime.date | None = None
    onset_date: datetime.date | None = None
    reclassified_at: datetime.datetime | None = None
    outcome: str = ""
    outcome_at: datetime.datetime | None = None
    steps: list[Step] = field(default_factory=list)
    person_id: int | None = None

    @property
    def in_control(self) -> bool:
        return self.route in IN_CONTROL_ROUTES

    @property
    def reported_as(self) -> dict:
        """What the first report says: a reclassified infection was reported without them."""
        if self.classification == CONFIRMED:
            return {"clinical_type": self.clinical_type, "onset_date": self.onset_date}
        return {"clinical_type": "", "onset_date": None}

    @property
    def report_day(self) -> datetime.date:
        return self.reported_at.date()

    @property
    def confirmed_at(self) -> datetime.datetime | None:
        if self.classification == CONFIRMED:
            return self.reported_at
        return self.reclassified_at


def make_plan(scenario: Scenario, seed: int) -> list[CasePlan]:
    planner = _Planner(scenario, seed)
    plans = []
    for district in scenario.districts:
        plans += planner.district(district)
    planner.facilities(plans)
    plans.sort(key=lambda p: (p.reported_at, p.district))
    for plan in plans:
        plan.steps.sort(key=lambda step: step.at)
    return plans


class _Planner:
    def __init__(self, scenario: Scenario, seed: int):
        self.s = scenario
        self.rng = random.Random(f"{seed}:{scenario.code}:plan")
        self.zone = ZoneInfo(settings.TIME_ZONE)
        self.course = scenario.course
        self.end = self.at(scenario.end + DAY, 0)

    def at(self, day: datetime.date, hour: int, minutes: int = 0) -> datetime.datetime:
        return (datetime.datetime.combine(day, datetime.time(hour), tzinfo=self.zone)
                + datetime.timedelta(minutes=minutes))

    def some_time(self, day: datetime.date, first_hour: int, last_hour: int):
        return self.at(day, first_hour, self.rng.randrange((last_hour - first_hour + 1) * 60))

    def weighted(self, weights: dict) -> str:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    # --- one district, day by day ------------------------------------------------------

    def district(self, district: str) -> list[CasePlan]:
        plans: list[CasePlan] = []
        for day in self.s.days:
            row = self.s.day(district, day)
            plans += self.reports(district, day, row)
            self.reclassify(district, day, plans, row["reclassified"])
            self.close(district, day, plans, Outcome.DISCHARGED, row["discharged"])
            self.close(district, day, plans, Outcome.RELEASED, row["released"])
        for plan in plans:
            self.clinical_course(plan)
            self.tests(plan)
            if plan.outcome:
                plan.steps.append(Step(plan.outcome_at, plan.outcome))
        return plans

    def reports(self, district: str, day: datetime.date, row: dict) -> list[CasePlan]:
        kinds = ([CONFIRMED] * (row["confirmed"] - row["reclassified"])
                 + [ASYMPTOMATIC] * row["asymptomatic"])
        self.rng.shuffle(kinds)
        community = round(len(kinds) * self.s.community_share[day])
        late = day >= datetime.date.fromisoformat(self.s.routes["late_from"])
        control_routes = self.s.routes["in_control_late" if late else "in_control_early"]
        plans = []
        for index, kind in enumerate(kinds):
            route = self.weighted(self.s.routes["community"] if index < community
                                  else control_routes)
            plans.append(self.report(district, day, kind, route))
        return sorted(plans, key=lambda p: p.reported_at)

    def report(self, district, day, kind, route) -> CasePlan:
        plan = CasePlan(district=district, reported_at=self.some_time(day, 7, 21),
                        classification=kind, route=route,
                        sample_date=day - DAY * self.rng.choice((0, 1, 1)))
        if kind == CONFIRMED:
            plan.clinical_type = self.weighted(self.s.clinical_types)
            plan.onset_date = day - DAY * self.rng.choice((0, 1, 1, 2))
        return plan

    def reclassify(self, district, day, plans, count: int) -> None:
        low, high = self.course["reclassify_within_days"]
        pool = [p for p in plans if p.classification == ASYMPTOMATIC and not p.reclassified_at
                and not p.outcome and day - high * DAY <= p.report_day <= day - low * DAY]
        if len(pool) < count:
            raise ScenarioDataError(f"{district} {day}: {count} reclassifications, but only "
                                    f"{len(pool)} asymptomatic infections reported "
                                    f"{low}-{high} days before")
        for plan in self.rng.sample(pool, count):
            plan.reclassified_at = self.some_time(day, 9, 19)
            plan.clinical_type = self.weighted(self.s.clinical_types)
            plan.onset_date = max(plan.report_day, day - DAY * self.rng.choice((0, 1)))
            plan.steps.append(Step(plan.reclassified_at, "reclassify", {
                "clinical_type": plan.clinical_type, "onset_date": plan.onset_date}))

    def close(self, district, day, plans, outcome: str, count: int) -> None:
        """Discharge or release `count` of the longest-treated cases the course allows."""
        if not count:
            return
        eligible = [p for p in plans if not p.outcome and self.may_close(p, outcome, day)]
        if len(eligible) < count:
            raise ScenarioDataError(f"{district} {day}: {count} {outcome}, but only "
                                    f"{len(eligible)} cases have been treated long enough")
        # Longest first, with a day or two of individual variation.
        eligible.sort(key=lambda p: (p.confirmed_at or p.reported_at)
                      + DAY * 2 * self.rng.random())
        for plan in eligible[:count]:
            plan.outcome, plan.outcome_at = outcome, self.some_time(day, 10, 15)

    def may_close(self, plan: CasePlan, outcome: str, day: datetime.date) -> bool:
        if outcome == Outcome.RELEASED:
            # An infection reclassified on a later day stays open until then.
            return (plan.classification == ASYMPTOMATIC and plan.reclassified_at is None
                    and plan.report_day <= day - DAY * self.course["release_after_days"])
        confirmed = plan.confirmed_at
        if confirmed is None:
            return False
        key = ("severe_discharge_after_days" if plan.clinical_type == ClinicalType.SEVERE
               else "discharge_after_days")
        return confirmed.date() <= day - DAY * self.course[key]

    # --- clinical course and tests -----------------------------------------------------

    def clinical_course(self, plan: CasePlan) -> None:
        confirmed = plan.confirmed_at
        if confirmed is None:
            return
        if plan.clinical_type == ClinicalType.SEVERE:
            low, high = self.course["severe_improves_after_days"]
            self.change(plan, confirmed + DAY * self.rng.randint(low, high), ClinicalType.MODERATE)
        elif (plan.clinical_type == ClinicalType.MILD
              and self.rng.random() < self.course["worsening_share"]):
            self.change(plan, confirmed + DAY * self.rng.randint(1, 3), ClinicalType.MODERATE)

    def change(self, plan: CasePlan, when: datetime.datetime, clinical_type: str) -> None:
        at = self.some_time(when.date(), 10, 17)
        if at < self.end and (plan.outcome_at is None or at < plan.outcome_at - 3 * DAY):
            plan.steps.append(Step(at, "clinical_type", {"clinical_type": clinical_type}))

    def tests(self, plan: CasePlan) -> None:
        """Two passing tests >= 24 h apart before an outcome; failing ones for some others."""
        failing = self.rng.random() < self.course["failing_test_share"]
        if plan.outcome_at:
            day = plan.outcome_at.date()
            first = self.some_time(day - 2 * DAY, 7, 8)
            second = first + DAY + datetime.timedelta(minutes=self.rng.randint(30, 150))
            plan.steps += [Step(first, "test", self.ct(True)), Step(second, "test", self.ct(True))]
            if failing:
                earlier = self.some_time(day - self.rng.randint(3, 4) * DAY, 7, 8)
                plan.steps.append(Step(earlier, "test", self.ct(False)))
        elif failing:
            at = self.some_time(plan.report_day + self.rng.randint(3, 5) * DAY, 7, 8)
            if at < self.end:
                plan.steps.append(Step(at, "test", self.ct(False)))

    def ct(self, passing: bool) -> dict:
        def value(low: int, high: int) -> Decimal:
            return Decimal(self.rng.randint(low * 10, high * 10 + 9)) / 10

        if passing:
            return {"ct_n": None if self.rng.random() < 0.5 else value(35, 39),
                    "ct_orf1ab": None if self.rng.random() < 0.5 else value(35, 39)}
        return {"ct_n": value(20, 34),
                "ct_orf1ab": value(22, 34) if self.rng.random() < 0.7 else value(35, 38)}

    # --- facility stays ----------------------------------------------------------------

    def facilities(self, plans: list[CasePlan]) -> None:
        """Admit each case on report, move reclassified ones to a hospital; overflow in the
        order the scenario lists, never past a facility's beds."""
        arrivals = []
        for order, plan in enumerate(plans):
            admitted = plan.reported_at + datetime.timedelta(minutes=self.rng.randint(60, 240))
            moves = [(admitted, self.candidates(plan, plan.classification))]
            if plan.reclassified_at:
                moved = plan.reclassified_at + datetime.timedelta(
                    minutes=self.rng.randint(60, 180))
                moves.append((moved, self.candidates(plan, CONFIRMED)))
            leaves = [m[0] for m in moves[1:]] + [plan.outcome_at]
            for (at, candidates), left in zip(moves, leaves, strict=True):
                arrivals.append((at, order, candidates, left, plan))
        beds = {f["name"]: f["beds"] for f in self.s.facilities}
        occupants: dict[str, list] = {name: [] for name in beds}
        never = self.end + 365 * DAY
        for at, _order, candidates, left, plan in sorted(arrivals, key=lambda a: a[:2]):
            for heap in occupants.values():
                while heap and heap[0] <= at:
                    heapq.heappop(heap)
            name = next((n for n in candidates if len(occupants[n]) < beds[n]), None)
            if name is None:
                raise ScenarioDataError(f"{at:%Y-%m-%d}: no free bed in {candidates}")
            heapq.heappush(occupants[name], left or never)
            plan.steps.append(Step(at, "admit", {"facility": name}))

    def candidates(self, plan: CasePlan, classification: str) -> list[str]:
        listed = self.s.admission[plan.district][classification]
        if classification == CONFIRMED and plan.clinical_type == ClinicalType.SEVERE:
            return self.s.admission["severe"] + listed
        return listed
