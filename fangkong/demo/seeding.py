"""Build the demo city: Shuozhou's real districts and streets, synthetic communities, homes,
residents and venues, deterministically from a scale and a seed.

The same scale, seed and as-of date give the same rows (UUIDs included); only created_at /
updated_at record when the build ran. District by district, the place subtree goes in
first (ids assigned in Python), then its venues, its residents and their tags, each through
one bulk sink, all in one transaction with one summary audit event at the end.
"""

import datetime
import random
import time
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.audit.services import audit_record
from fangkong.core import bulk as core_bulk
from fangkong.demo import bulk
from fangkong.demo.citygen import PLACE_COLUMNS, VENUE_COLUMNS, CityGenerator
from fangkong.demo.peoplegen import (
    FLOATING_HOUSEHOLD,
    PERSON_COLUMNS,
    TAG_COLUMNS,
    PeopleGenerator,
)
from fangkong.people.models import Person, PersonTag
from fangkong.places.models import Place, Venue

# The scenario's "today": the Shuozhou wave of November 2022. Ages, infants and the
# 怀仁 code change are computed against it so a build never depends on the calendar.
DEFAULT_AS_OF = datetime.date(2022, 11, 20)
DEFAULT_SCALE = 0.02
CITY_POPULATION = 1_600_000


@dataclass
class SeedSummary:
    scale: float
    seed: int
    as_of: datetime.date
    places: int = 0
    households: int = 0
    people: int = 0
    tags: int = 0
    venues: int = 0
    seconds: float = 0.0
    city_id: int | None = None
    by_district: dict = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return self.places + self.people + self.tags + self.venues + 1  # + the audit event

    def counts(self) -> dict:
        return {"places": self.places, "households": self.households, "people": self.people,
                "tags": self.tags, "venues": self.venues}


def city_exists() -> bool:
    return Place.objects.exists()


def seed_city(*, scale: float = DEFAULT_SCALE, seed: int = 1, as_of: datetime.date | None = None,
              progress=None) -> SeedSummary:
    """Build the city into an empty place tree. `progress(message)` hears each district."""
    if scale <= 0:
        raise ValueError("scale must be positive")
    started = time.perf_counter()
    summary = SeedSummary(scale=scale, seed=seed, as_of=as_of or DEFAULT_AS_OF)
    stamp = str(connection.ops.adapt_datetimefield_value(timezone.now()))
    progress = progress or (lambda message: None)
    with transaction.atomic():
        with bulk.indexes_deferred([Place, Venue, Person, PersonTag]):
            _build(summary, stamp, progress)
            progress(_("Rebuilding indexes and keys…"))
        if core_bulk.is_postgres():
            bulk.reset_sequences([Place, Venue, Person, PersonTag])
        city = Place.objects.get(pk=summary.city_id)
        audit_record(actor=None, action="demo.seed", target=city, scope_place=city,
                     changes={key: [None, value] for key, value in _audit_changes(summary)})
    summary.seconds = time.perf_counter() - started
    return summary


def _audit_changes(summary: SeedSummary):
    yield "scale", summary.scale
    yield "seed", summary.seed
    yield "as_of", summary.as_of.isoformat()
    yield from summary.counts().items()


def _build(summary: SeedSummary, stamp: str, progress) -> None:
    city_gen = CityGenerator(scale=summary.scale, seed=summary.seed, stamp=stamp,
                             first_place_id=bulk.next_id(Place),
                             first_venue_id=bulk.next_id(Venue))
    people_gen = PeopleGenerator(as_of=summary.as_of, stamp=stamp,
                                 first_person_id=bulk.next_id(Person))
    with core_bulk.table_sink(Place, PLACE_COLUMNS) as sink:
        city = city_gen.city(sink.append)
        districts = city_gen.district_nodes(sink.append, city)
    summary.city_id, summary.places = city.id, 1 + len(districts)
    for node, data in zip(districts, city_gen.city_data["districts"], strict=True):
        _district(summary, city_gen, people_gen, node, data, progress)
    summary.people = people_gen.count


def _district(summary, city_gen, people_gen, node, data, progress) -> None:
    started = time.perf_counter()
    with core_bulk.table_sink(Place, PLACE_COLUMNS) as sink:
        out = city_gen.district(_flushing(sink), node, data)
    with core_bulk.table_sink(Venue, VENUE_COLUMNS) as sink:
        sink.rows.extend(out.venues)
    people_before, tag_rows = people_gen.count, []
    with core_bulk.table_sink(Person, PERSON_COLUMNS) as people:
        _residents(summary.seed, people_gen, data, out, city_gen.city_data, people,
                   tag_rows.append)
    # Tags (about 3% of people) wait in memory: one connection runs one COPY at a time.
    with core_bulk.table_sink(PersonTag, TAG_COLUMNS) as tags:
        tags.rows.extend(tag_rows)
    households = len(out.urban_households) + len(out.rural_households)
    summary.places += out.places
    summary.households += households
    summary.venues += len(out.venues)
    summary.tags += len(tag_rows)
    residents = people_gen.count - people_before
    summary.by_district[data["name"]] = residents
    progress(_("%(code)s %(name)s: %(places)d places, %(households)d households, "
               "%(residents)d residents, %(venues)d venues (%(seconds).1f s)") % {
        "code": data["code"], "name": data["name"], "places": out.places,
        "households": households, "residents": residents, "venues": len(out.venues),
        "seconds": time.perf_counter() - started})


def _flushing(sink):
    """An emit function that flushes the sink now and then, keeping the buffer bounded."""
    append, rows, flush = sink.append, sink.rows, sink.flush

    def emit(row):
        append(row)
        if len(rows) >= core_bulk.BATCH_ROWS:
            flush()

    return emit


def _residents(seed, people_gen, data, out, city_data, people, emit_tag) -> None:
    rng = random.Random(f"{seed}:{data['code']}:people")
    home_region = _home_region(data)
    origins = city_data["floating_origins"]
    for rural, households in ((False, out.urban_households), (True, out.rural_households)):
        floating_share = FLOATING_HOUSEHOLD[rural]
        for index, household_id in enumerate(households):
            floating = origins[rng.randrange(len(origins))] if rng.random() < floating_share \
                else None
            people_gen.household(rng, household_id, home_region, floating, people.append,
                                 emit_tag)
            if index % 1000 == 999:
                people.flush()


def _home_region(data: dict):
    """The region code in a registered resident's ID: a renamed county's residents keep the
    old code if they were registered before the change (怀仁县 → 怀仁市 in 2018)."""
    code, old_code = data["code"], data.get("old_code")
    if not old_code:
        return code
    cutoff = data["old_code_born_before"]
    return lambda year: old_code if year < cutoff else code
