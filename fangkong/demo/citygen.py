"""The place tree and venues of the demo city, generated row by row without the database.

Rows are tuples of strings in the column order of `PLACE_COLUMNS` / `VENUE_COLUMNS`, ready
for COPY or executemany. Ids are assigned here so children can name their parent (and
people their household) without a round trip.
"""

import math
import random
from array import array
from dataclasses import dataclass, field

from fangkong.demo.material import load, uuid_hex
from fangkong.places.models import Level, VenueKind, path_segment

PLACE_COLUMNS = ("id", "uuid", "created_at", "updated_at", "level", "code", "name", "rural",
                 "path", "parent_id")
VENUE_COLUMNS = ("id", "uuid", "created_at", "updated_at", "place_id", "name", "kind", "code",
                 "address")

URBAN_COMMUNITY_SIZE = 4000   # residents of a typical residents' committee
VILLAGE_SIZE = 550            # residents of a typical village in northern Shanxi
MEAN_HOUSEHOLD = 2.6
MAX_COMMUNITIES = 199         # GB/T 10114: 001-199 residents' committees, 200-399 villages
FIRST_VILLAGE_CODE = 200
STREET_CODE, TOWN_CODE, TOWNSHIP_CODE = 1, 100, 200
PEOPLE_PER_BUS_ROUTE = 25000


@dataclass
class Node:
    id: int
    path: str
    code: str
    name: str


@dataclass
class DistrictOutput:
    """What the people pass needs from a district: its households, urban and rural."""

    urban_households: array = field(default_factory=lambda: array("q"))
    rural_households: array = field(default_factory=lambda: array("q"))
    venues: list = field(default_factory=list)
    places: int = 0


class CityGenerator:
    def __init__(self, *, scale: float, seed: int, stamp: str, first_place_id: int,
                 first_venue_id: int):
        self.scale, self.seed, self.stamp = scale, seed, stamp
        self.next_place_id, self.next_venue_id = first_place_id, first_venue_id
        self.city_data = load("city")
        self.names = load("places")
        self.venue_names = load("venues")
        self.surnames = [s for s, _ in load("names")["surnames"]]
        self.venue_codes: set[str] = set()

    # --- rows -------------------------------------------------------------------------

    def place(self, emit, rng, parent: Node | None, ordinal: int, level: str, code: str,
              name: str, rural: bool = False) -> Node:
        place_id = self.next_place_id
        self.next_place_id += 1
        path = (parent.path if parent else "") + path_segment(ordinal)
        emit((str(place_id), uuid_hex(rng.getrandbits), self.stamp, self.stamp, level, code,
              name, "1" if rural else "0", path, str(parent.id) if parent else None))
        return Node(place_id, path, code, name)

    def venue(self, out: DistrictOutput, rng, place: Node, name: str, kind: str, address: str):
        code = self._venue_code(rng)
        out.venues.append((str(self.next_venue_id), uuid_hex(rng.getrandbits), self.stamp,
                           self.stamp, str(place.id), name, kind, code, address))
        self.next_venue_id += 1

    def _venue_code(self, rng) -> str:
        while True:
            code = f"V{rng.getrandbits(40):010X}"
            if code not in self.venue_codes:
                self.venue_codes.add(code)
                return code

    # --- the top of the tree ------------------------------------------------------------

    def city(self, emit) -> Node:
        rng = random.Random(f"{self.seed}:city")
        return self.place(emit, rng, None, 1, Level.CITY, self.city_data["code"],
                          self.city_data["name"])

    def district_nodes(self, emit, city: Node) -> list[Node]:
        rng = random.Random(f"{self.seed}:districts")
        return [self.place(emit, rng, city, ordinal, Level.DISTRICT, d["code"], d["name"])
                for ordinal, d in enumerate(self.city_data["districts"], start=1)]

    # --- a district ---------------------------------------------------------------------

    def district(self, emit, node: Node, data: dict) -> DistrictOutput:
        rng = random.Random(f"{self.seed}:{data['code']}:places")
        out, first_id = DistrictOutput(), self.next_place_id
        roots = self._community_roots(rng)
        population = data["population"] * self.scale
        urban_parts, rural_parts = self._subdistricts(data)
        urban = _split(rng, population * data["urban_share"], len(urban_parts))
        rural = _split(rng, population * (1 - data["urban_share"]), len(rural_parts))
        urban_by_name = dict(zip(urban_parts, urban, strict=True))
        communities = []
        for ordinal, (name, code) in enumerate(self._subdistrict_codes(data), start=1):
            sub = self.place(emit, rng, node, ordinal, Level.SUBDISTRICT,
                             f"{data['code']}{code:03d}", name)
            rural_people = rural[rural_parts.index(name)] if name in rural_parts else 0
            communities += self._communities(emit, rng, out, sub, node, roots,
                                             urban_by_name.get(name, 0), rural_people)
        self._bus_routes(out, rng, communities, population)
        out.places = self.next_place_id - first_id
        return out

    def _subdistricts(self, data: dict) -> tuple[list[str], list[str]]:
        """Urban residents live in the streets, or in the county seat (the first town)."""
        urban = data["streets"] or data["towns"][:1]
        return urban, data["towns"] + data["townships"]

    def _subdistrict_codes(self, data: dict):
        for first, key in ((STREET_CODE, "streets"), (TOWN_CODE, "towns"),
                           (TOWNSHIP_CODE, "townships")):
            for offset, name in enumerate(data[key]):
                yield name, first + offset

    def _communities(self, emit, rng, out, sub: Node, district: Node, roots, urban: float,
                     rural: float) -> list[tuple[Node, str]]:
        made, ordinal = [], 0
        for index, people in enumerate(_split(rng, urban, _count(urban, URBAN_COMMUNITY_SIZE))):
            ordinal += 1
            root = next(roots)
            node = self.place(emit, rng, sub, ordinal, Level.COMMUNITY,
                              f"{sub.code}{index + 1:03d}", root + self.names["community_suffix"])
            self._urban_community(emit, rng, out, node, _households(people))
            self._community_venues(out, rng, node, root, f"{district.name}{sub.name}", "urban")
            made.append((node, root))
        village_names = self._village_names(rng)
        for index, people in enumerate(_split(rng, rural, _count(rural, VILLAGE_SIZE))):
            ordinal += 1
            root = village_names[index]
            node = self.place(emit, rng, sub, ordinal, Level.COMMUNITY,
                              f"{sub.code}{FIRST_VILLAGE_CODE + index:03d}",
                              root + self.names["village_suffix"], rural=True)
            self._village(emit, rng, out, node, _households(people))
            self._community_venues(out, rng, node, root, f"{district.name}{sub.name}", "rural")
        return made

    def _community_roots(self, rng):
        """Community names unique within the district: plain roots, then prefixed ones."""
        roots = list(self.names["community_roots"])
        rng.shuffle(roots)
        return iter(roots + [d + r for d in self.names["directions"] for r in roots])

    # --- urban: compound › building › unit › household -------------------------------

    def _urban_community(self, emit, rng, out, community: Node, households: int) -> None:
        remaining, compound_no = households, 0
        roots = rng.sample(self.names["compound_roots"], k=len(self.names["compound_roots"]))
        while remaining > 0:
            compound_no += 1
            name = (roots[(compound_no - 1) % len(roots)]
                    + rng.choice(self.names["compound_suffixes"]))
            compound = self.place(emit, rng, community, compound_no, Level.COMPOUND,
                                  f"{compound_no:02d}", name)
            remaining = self._compound(emit, rng, out, compound, remaining)

    def _compound(self, emit, rng, out, compound: Node, remaining: int) -> int:
        for number in range(1, rng.randint(3, 10) + 1):
            if remaining <= 0:
                break
            building = self.place(emit, rng, compound, number, Level.BUILDING, str(number),
                                  self.names["building"].format(n=number))
            remaining = self._building(emit, rng, out, building, remaining)
        return remaining

    def _building(self, emit, rng, out, building: Node, remaining: int) -> int:
        # Most of Shuozhou's housing stock is six-storey walk-ups; newer estates are towers.
        floors = rng.choice((5, 6, 6, 6, 6, 7, 11, 17, 18))
        doors = 2 if floors < 10 else rng.choice((2, 3, 4))
        for number in range(1, rng.choice((1, 2, 2, 3, 3, 4)) + 1):
            if remaining <= 0:
                break
            unit = self.place(emit, rng, building, number, Level.UNIT, str(number),
                              self.names["unit"].format(n=number))
            remaining = self._unit(emit, rng, out, unit, floors, doors, remaining)
        return remaining

    def _unit(self, emit, rng, out, unit: Node, floors: int, doors: int, remaining: int) -> int:
        ordinal = 0
        for floor in range(1, floors + 1):
            for door in range(1, doors + 1):
                if remaining <= 0:
                    return remaining
                ordinal += 1
                number = f"{floor}{door:02d}"
                home = self.place(emit, rng, unit, ordinal, Level.HOUSEHOLD, number,
                                  self.names["household"].format(n=number))
                out.urban_households.append(home.id)
                remaining -= 1
        return remaining

    # --- rural: village › household ----------------------------------------------------

    def _village(self, emit, rng, out, village: Node, households: int) -> None:
        for number in range(1, households + 1):
            home = self.place(emit, rng, village, number, Level.HOUSEHOLD, str(number),
                              self.names["rural_household"].format(n=number), rural=True)
            out.rural_households.append(home.id)

    def _village_names(self, rng) -> list[str]:
        """Village names unique within a township: a few stock names, then surname hamlets."""
        names = list(self.names["village_names"])
        rng.shuffle(names)
        names = names[: rng.randint(2, 6)]
        seen = set(names)
        patterns, directions = self.names["village_patterns"], self.names["directions"]
        while len(names) < MAX_COMMUNITIES:
            name = rng.choice(patterns).format(s=rng.choice(self.surnames),
                                               d=rng.choice(directions))
            if name not in seen:
                seen.add(name)
                names.append(name)
        return names

    # --- venues ------------------------------------------------------------------------

    def _community_venues(self, out, rng, node: Node, root: str, area: str, kind: str) -> None:
        patterns = self.venue_names[kind]
        counts = URBAN_VENUES if kind == "urban" else RURAL_VENUES
        for venue_kind, (low, high) in counts.items():
            for _ in range(rng.randint(low, high)):
                name = rng.choice(patterns[venue_kind]).format(root=root)
                self.venue(out, rng, node, name, venue_kind, f"{area}{node.name}")

    def _bus_routes(self, out, rng, communities: list, population: float) -> None:
        if not communities:
            return
        for number in range(1, max(1, round(population / PEOPLE_PER_BUS_ROUTE)) + 1):
            node, _ = communities[rng.randrange(len(communities))]
            self.venue(out, rng, node, self.venue_names["bus_route"].format(n=number),
                       VenueKind.BUS_ROUTE, node.name)


URBAN_VENUES = {
    VenueKind.SUPERMARKET: (1, 3), VenueKind.PHARMACY: (1, 2), VenueKind.CLINIC: (0, 1),
    VenueKind.MARKET: (0, 1), VenueKind.SCHOOL: (0, 1), VenueKind.OFFICE: (0, 2),
    VenueKind.RESTAURANT: (1, 4),
}
RURAL_VENUES = {VenueKind.SUPERMARKET: (0, 1), VenueKind.CLINIC: (0, 1)}


def _count(people: float, size: int) -> int:
    if people <= 0:
        return 0
    return min(MAX_COMMUNITIES, max(1, round(people / size)))


def _households(people: float) -> int:
    return max(1, round(people / MEAN_HOUSEHOLD))


def _split(rng, total: float, parts: int) -> list[float]:
    """`total` split into `parts` shares that differ by up to a third, as real areas do."""
    if parts <= 0:
        return []
    weights = [1 + (rng.random() - 0.5) * 2 / 3 for _ in range(parts)]
    scale = total / math.fsum(weights)
    return [w * scale for w in weights]
