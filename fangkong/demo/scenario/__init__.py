"""Outbreak scenarios on the demo city: `simulate("shuozhou-2022-11")`.

A scenario is a data file of daily bulletin figures (`data.py`); `plan.py` decides every
case's course from it and a seed, `residents.py` picks who falls ill, and `write.py`
replays the plan through the same case services users call, so the cases, timelines,
stays, tests and audit trail look as if the command centre had typed them in.
"""

import time
from dataclasses import dataclass

from django.db import transaction

from fangkong.accounts.models import User
from fangkong.accounts.roles import Role
from fangkong.cases.models import Outbreak, Outcome
from fangkong.demo.scenario.data import ScenarioDataError, ScenarioMissing, load_scenario
from fangkong.demo.scenario.plan import make_plan
from fangkong.demo.scenario.residents import (
    NotEnoughResidents,
    assign_people,
    district_places,
    residents,
)
from fangkong.demo.scenario.write import create_outbreak, ensure_facilities, write_cases
from fangkong.demo.users import DEMO_ACCOUNTS

__all__ = ["DistrictMissing", "NotEnoughResidents", "OutbreakExists", "ScenarioDataError",
           "ScenarioMissing", "SimulationSummary", "outbreak_exists", "simulate"]


class OutbreakExists(Exception):
    pass


class DistrictMissing(LookupError):
    pass


@dataclass
class SimulationSummary:
    code: str
    cases: int
    confirmed: int
    asymptomatic: int
    discharged: int
    released: int
    facilities: int
    first_day: str
    last_day: str
    acting_user: str
    seconds: float = 0.0


def outbreak_exists(code: str) -> bool:
    return Outbreak.objects.filter(code=code).exists()


def command_user() -> User | None:
    """The demo command-centre account if `demo-users` has made it, else nobody."""
    username = next(name for name, role, _ in DEMO_ACCOUNTS if role == Role.COMMAND)
    return User.objects.filter(username=username, role=Role.COMMAND, is_active=True).first()


def simulate(code: str, *, seed: int = 1, progress=None) -> SimulationSummary:
    """Write scenario `code` onto the demo city in one transaction."""
    started = time.perf_counter()
    progress = progress or (lambda count: None)
    scenario = load_scenario(code)
    with transaction.atomic():
        if outbreak_exists(scenario.code):
            raise OutbreakExists(scenario.code)
        districts = district_places(scenario.districts)
        missing = [name for name, place in districts.items() if place is None]
        if missing:
            raise DistrictMissing(", ".join(missing))
        plans = make_plan(scenario, seed)
        for name, place in districts.items():
            assign_people([p for p in plans if p.district == name], residents(place), name, seed)
        acting_user = command_user()
        outbreak = create_outbreak(scenario, districts, acting_user)
        facilities = ensure_facilities(scenario, districts, acting_user)
        write_cases(plans, outbreak, facilities, acting_user, progress)
    return _summary(scenario, plans, facilities, acting_user, time.perf_counter() - started)


def _summary(scenario, plans, facilities, acting_user, seconds) -> SimulationSummary:
    def count(test) -> int:
        return sum(1 for plan in plans if test(plan))

    return SimulationSummary(
        code=scenario.code, cases=len(plans),
        confirmed=count(lambda p: p.confirmed_at is not None),
        asymptomatic=count(lambda p: p.confirmed_at is None),
        discharged=count(lambda p: p.outcome == Outcome.DISCHARGED),
        released=count(lambda p: p.outcome == Outcome.RELEASED),
        facilities=len(facilities), first_day=scenario.start.isoformat(),
        last_day=scenario.end.isoformat(),
        acting_user=acting_user.username if acting_user else "", seconds=seconds)
