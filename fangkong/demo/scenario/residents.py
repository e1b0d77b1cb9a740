"""Who falls ill: residents of each district, picked in clusters as outbreaks spread.

A case found under control is mostly a household member or neighbour of an earlier case
(a close contact already in isolation, or someone in a sealed building); a case found in
the community mostly starts a new cluster in a compound or village not yet touched. One
query per district reads its residents; the picks are deterministic for a seed.
"""

import random
from collections import defaultdict

from fangkong.people.models import Person
from fangkong.places.models import PATH_STEP, Level, Place

# Depths in the demo city's tree: city 1, district 2, street 3, community or village 4,
# compound 5, building 6; a rural household hangs directly under its village.
VILLAGE_DEPTH, COMPOUND_DEPTH, BUILDING_DEPTH = 4, 5, 6
RURAL_LANE = 10  # farmsteads numbered next to each other count as neighbours

# How a case is found -> how likely each kind of pick is (the rest: a new cluster).
IN_CONTROL_PICKS = (("household", 0.45), ("building", 0.35), ("area", 0.12))
COMMUNITY_PICKS = (("building", 0.15), ("area", 0.35))


class NotEnoughResidents(Exception):
    def __init__(self, district: str, needed: int, available: int):
        super().__init__(district, needed, available)
        self.district, self.needed, self.available = district, needed, available


def district_places(codes: dict) -> dict[str, Place]:
    """The scenario's districts by name, from their administrative codes."""
    found = {p.code: p for p in Place.objects.filter(level=Level.DISTRICT,
                                                     code__in=codes.values())}
    return {name: found.get(code) for name, code in codes.items()}


def residents(district: Place) -> list[tuple[int, int, str]]:
    """(person id, household id, household path) of everyone living in the district."""
    return list(Person.objects.active()
                .filter(household__path__startswith=district.path)
                .order_by("household__path", "id")
                .values_list("id", "household_id", "household__path"))


def assign_people(plans, rows, district: str, seed: int) -> None:
    """Give each plan of the district a distinct resident, in report order."""
    if len(rows) < len(plans):
        raise NotEnoughResidents(district, len(plans), len(rows))
    pool = ResidentPool(rows, random.Random(f"{seed}:{district}:people"))
    for plan in plans:
        plan.person_id = pool.pick(plan.in_control)


def _neighbourhoods(path: str) -> tuple[str, str]:
    """(compound or village, building or lane of ten farmsteads) of a household's path."""
    if len(path) > BUILDING_DEPTH * PATH_STEP:
        return path[:COMPOUND_DEPTH * PATH_STEP], path[:BUILDING_DEPTH * PATH_STEP]
    village = path[:VILLAGE_DEPTH * PATH_STEP]
    return village, f"{village}/{int(path[-PATH_STEP:]) // RURAL_LANE}"


class ResidentPool:
    def __init__(self, rows, rng: random.Random):
        self.rng = rng
        self.members: dict[int, list[int]] = defaultdict(list)
        self.building_of: dict[int, str] = {}
        self.area_of: dict[int, str] = {}
        self.buildings: dict[str, list[int]] = defaultdict(list)
        self.areas: dict[str, list[int]] = defaultdict(list)
        for person_id, household_id, path in rows:
            if household_id not in self.members:
                area, building = _neighbourhoods(path)
                self.area_of[household_id], self.building_of[household_id] = area, building
                self.buildings[building].append(household_id)
                self.areas[area].append(household_id)
            self.members[household_id].append(person_id)
        self.size = {household: len(people) for household, people in self.members.items()}
        self.untouched = list(self.areas)
        rng.shuffle(self.untouched)
        self.touched: list[int] = []          # households with a case
        self.open_households: list[int] = []  # ... that still have members left

    def pick(self, in_control: bool) -> int:
        draw, wanted = self.rng.random(), "new"
        for kind, share in IN_CONTROL_PICKS if in_control else COMMUNITY_PICKS:
            if draw < share:
                wanted = kind
                break
            draw -= share
        for kind in (wanted, "area", "new", "any"):
            person = getattr(self, f"_{kind}")()
            if person is not None:
                return person
        raise AssertionError("the pool ran dry although it held enough residents")

    def _take(self, household_id: int) -> int:
        members = self.members[household_id]
        first = len(members) == self.size[household_id]
        person = members.pop(self.rng.randrange(len(members)))
        if first:
            self.touched.append(household_id)
            if members:
                self.open_households.append(household_id)
        return person

    def _from(self, households: list[int]) -> int | None:
        """A member of a random household of the list that still has one (lazy removal)."""
        while households:
            index = self.rng.randrange(len(households))
            if self.members[households[index]]:
                return self._take(households[index])
            households[index] = households[-1]
            households.pop()
        return None

    def _random_live(self, households: list[int], live) -> int | None:
        while households:
            index = self.rng.randrange(len(households))
            if live(households[index]):
                return households[index]
            households[index] = households[-1]
            households.pop()
        return None

    def _household(self) -> int | None:
        """Another member of a household that already has a case."""
        household = self._random_live(self.open_households, lambda h: self.members[h])
        return None if household is None else self._take(household)

    def _near_case(self) -> int | None:
        """A household with a case whose compound or village still has residents left."""
        return self._random_live(self.touched, lambda h: self.areas[self.area_of[h]])

    def _building(self) -> int | None:
        household = self._near_case()
        return None if household is None else self._from(
            self.buildings[self.building_of[household]])

    def _area(self) -> int | None:
        household = self._near_case()
        return None if household is None else self._from(self.areas[self.area_of[household]])

    def _new(self) -> int | None:
        while self.untouched:
            person = self._from(self.areas[self.untouched.pop()])
            if person is not None:
                return person
        return None

    def _any(self) -> int | None:
        for households in self.areas.values():
            person = self._from(households)
            if person is not None:
                return person
        return None
