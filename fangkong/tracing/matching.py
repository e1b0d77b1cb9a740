"""Spatio-temporal companions (时空伴随者): who was at the same venue as a case, for long
enough, while the case was there.

A probe is one stay of a case at a venue, [start, end). A check-in [arrived, left) at that
venue is a companion's when the two overlap by at least the profile's minimum; touching
stays (one leaves the minute the other arrives) overlap by nothing. A check-in never lasts
longer than the longest stay of any profile (longer stays are stored in pieces), so every
check-in that can overlap a probe arrived in [start - longest stay, end): each probe reads
one bounded range of the (venue, arrival) index, even at a railway station, and never joins
the table with itself. The overlap of the pieces of one person's long stay adds up.

On PostgreSQL all probes go in one statement, their arrays unnested and joined LATERAL to
that range (100 cases' stays in one round trip); elsewhere one OR of ranges through the ORM.

The companions of a probe come back as columns (people, overlaps, last exposures), not as
one object per person: a stay at a railway station has thousands of them, and the caller
mostly counts them (an exposure site) or reads a few.
"""

import datetime
import gc
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from django.db import connection
from django.db.models import Q

from fangkong.protocol.selectors import profiles
from fangkong.tracing.models import CheckIn


@dataclass(frozen=True)
class Probe:
    key: int                  # the caller's handle for the stay (its id, or an index)
    venue_id: int
    start: datetime.datetime
    end: datetime.datetime


class Companions(NamedTuple):
    """The companions of one probe key, as parallel columns: person ids, their overlap with
    the key's probes, and when the overlap ended (the last exposure)."""
    key: int
    people: list[int]
    overlaps: list[datetime.timedelta]
    lasts: list[datetime.datetime]

    def rows(self):
        """(person id, overlap, last exposure) for each companion."""
        return zip(self.people, self.overlaps, self.lasts, strict=True)


def longest_stay() -> datetime.timedelta:
    """The longest a check-in can last under any profile, so the probe misses none."""
    minutes = [p.values.get("checkin_max_stay_minutes", 0) for p in profiles()]
    return datetime.timedelta(minutes=max(minutes, default=0) or 24 * 60)


def companions(probes: list[Probe], *, min_overlap: datetime.timedelta,
               longest: datetime.timedelta | None = None) -> list[Companions]:
    """Every person whose check-ins overlap the probes of a key by at least `min_overlap`
    in all, one `Companions` per key that has any."""
    probes = [p for p in probes if p.end > p.start]
    if not probes:
        return []
    longest = longest or longest_stay()
    if connection.vendor == "postgresql":
        return _companions_sql(probes, min_overlap, longest)
    return _companions_orm(probes, min_overlap, longest)


def _columns(summed: dict, min_overlap) -> list[Companions]:
    """{(key, person): (overlap, last)} as one `Companions` per key, short overlaps left."""
    by_key: dict[int, tuple[list, list, list]] = {}
    for (key, person), (overlap, last) in summed.items():
        if overlap >= min_overlap:
            people, overlaps, lasts = by_key.setdefault(key, ([], [], []))
            people.append(person)
            overlaps.append(overlap)
            lasts.append(last)
    return [Companions(key, *columns) for key, columns in by_key.items()]


def _add(summed: dict, key: int, person: int, overlap, last) -> None:
    before = summed.get((key, person))
    summed[key, person] = (overlap, last) if before is None else (
        before[0] + overlap, max(before[1], last))


def _companions_orm(probes, min_overlap, longest) -> list[Companions]:
    ranges = Q()
    for p in probes:
        ranges |= Q(venue_id=p.venue_id, checked_in_at__gte=p.start - longest,
                    checked_in_at__lt=p.end, left_at__gt=p.start)
    by_venue = defaultdict(list)
    for p in probes:
        by_venue[p.venue_id].append(p)
    summed: dict = {}
    rows = CheckIn.objects.filter(ranges).values_list("venue_id", "person_id", "checked_in_at",
                                                      "left_at")
    for venue_id, person_id, arrived, left in rows.iterator(chunk_size=5000):
        for p in by_venue[venue_id]:
            ends = min(left, p.end)
            shared = ends - max(arrived, p.start)
            if shared > datetime.timedelta(0):
                _add(summed, p.key, person_id, shared, ends)
    return _columns(summed, min_overlap)


# One row per probe: its companions as three parallel arrays. The grouping runs per probe,
# inside the LATERAL subquery, so each hash table holds one probe's visitors (thousands)
# instead of one table for every (probe, person) of the call (millions, spilled to disk:
# 100 cases' stays at a railway station took 5.4 s on the server, 2.7 s grouped per probe).
# A probe whose key another probe shares keeps every overlap (its minimum is zero): the
# sum over all of that key's probes is taken in Python.
_SQL = """
SELECT s.k, c.people, c.shared, c.last_at
FROM unnest(%s::bigint[], %s::bigint[], %s::timestamptz[], %s::timestamptz[], %s::interval[])
     AS s (k, v, s, e, least_shared)
CROSS JOIN LATERAL (
    SELECT array_agg(person_id) AS people, array_agg(shared) AS shared,
           array_agg(last_at) AS last_at
    FROM (
        SELECT person_id, sum(least(left_at, s.e) - greatest(checked_in_at, s.s)) AS shared,
               max(least(left_at, s.e)) AS last_at
        FROM tracing_checkin
        WHERE venue_id = s.v AND checked_in_at >= s.s - %s AND checked_in_at < s.e
          AND left_at > s.s
        GROUP BY person_id
        HAVING sum(least(left_at, s.e) - greatest(checked_in_at, s.s)) >= s.least_shared
    ) AS g
) AS c
WHERE c.people IS NOT NULL
"""


def _statement(probes, min_overlap, longest) -> tuple[str, list, set]:
    """The statement, its parameters and the keys more than one probe shares (the bench
    explains the statement)."""
    shared = {key for key, n in Counter(p.key for p in probes).items() if n > 1}
    least = [datetime.timedelta(0) if p.key in shared else min_overlap for p in probes]
    return _SQL, [[p.key for p in probes], [p.venue_id for p in probes],
                  [p.start for p in probes], [p.end for p in probes], least, longest], shared


def _companions_sql(probes, min_overlap, longest) -> list[Companions]:
    """Streamed in binary: each probe's companions reach Python while the server reads the
    next probe's range, and ints, intervals and timestamps are decoded in C into the lists
    that become the columns (the text protocol took 17 s for 100 cases' 2.4 million
    companions, binary 1 s; one Python object per companion cost 2.8 s more). The cyclic
    garbage collector is paused meanwhile: millions of new objects, none in a cycle, set
    off full collections that doubled the time."""
    from psycopg import Cursor  # binds on the server, which binary results need

    sql, params, shared = _statement(probes, min_overlap, longest)
    found, summed = [], {}
    collecting = gc.isenabled()
    gc.disable()
    try:
        connection.ensure_connection()
        with connection.wrap_database_errors, Cursor(connection.connection) as cursor:
            for key, people, overlaps, lasts in cursor.stream(sql, params, binary=True):
                if key not in shared:
                    found.append(Companions(key, people, overlaps, lasts))
                    continue
                for person, overlap, last in zip(people, overlaps, lasts, strict=True):
                    _add(summed, key, person, overlap, last)
    finally:
        if collecting:
            gc.enable()
    return found + _columns(summed, min_overlap)
