"""Benchmark contact tracing's check-ins: ingest through the gates' batch path, companions.

    python bench/contact_tracing.py --scale 1 --db postgres
    python bench/contact_tracing.py --scale 1 --db postgres --reuse   # keep city and check-ins
    python bench/contact_tracing.py --scale 1 --db postgres --reuse --explain
    python bench/contact_tracing.py --scale 0.01 --db sqlite

Seeds the city (`seed-city`, timed apart) into a fresh database (PostgreSQL:
`fangkong_bench_tracing`, dropped and created unless --reuse finds it seeded; SQLite: a
temporary file), adds venues up to 50,000 × scale, one of them a railway station (朔州站),
and generates 20 million × scale check-ins over the 14 days before 22 Nov 2022: every
resident 12 or 13 stays of 5–120 minutes that never overlap one another, a quarter of all
stays at the station and the rest at the other venues by a Zipf-like (1/rank) popularity.

The check-ins of the last hours (--ingest, 5 % of them by default; --ingest-all: every one)
go through `check_in_batch` (no acting user, --batch scans a call, in arrival order, each
call a minute after its last stay ended: how gates' uploads reach the server) into a table
that already holds the others, loaded directly beforehand (PostgreSQL: COPY, the indexes
built afterwards; SQLite: executemany) — so the rate is measured against the full-size
table and its six indexes. Beside it stands the floor: the same rows written by COPY
(SQLite: executemany) into the same table, in a transaction that is rolled back; and a
retried batch (all unchanged). The server runs with autovacuum off, so the script runs
VACUUM ANALYZE itself after each load (statistics, and the visibility map that lets the
companion probe read only the index), timed apart.

Then, through `fangkong.tracing.matching.companions` (10 minutes' overlap): the companions of
single cases that did not visit the station — all their stays in a 4-day window ending at a
random time — one call each, median over --cases; and of 100 random cases (all their stays
in their windows) in one call, --repeat times, against DuckDB's interval join over the same
check-ins (exported by COPY to a CSV file and loaded into DuckDB in memory, not timed; only
the join is, into a table inside DuckDB, and again handed to Python by fetchall, as
companions() hands its result), checking that both find the same number of (stay, person)
pairs. Beside the call, the statement alone on the server (its pairs counted there, none
sent). --explain
prints PostgreSQL's plan of the 100 cases' statement. The last line of output is one JSON
object.
"""

import argparse
import datetime
import json
import math
import os
import platform
import random
import statistics
import sys
import time
from array import array
from zoneinfo import ZoneInfo

from _setup import add_database_arguments, start_django

BENCH_DB = "fangkong_bench_tracing"
TZ = ZoneInfo("Asia/Shanghai")
START = datetime.datetime(2022, 11, 8, 0, 0, tzinfo=TZ)
DAYS = 14
PERIOD = DAYS * 24 * 60              # minutes
CHECKINS = 20_000_000                # at scale 1
VENUES = 50_000                      # at scale 1
HOTSPOT_SHARE = 0.25
HOTSPOT_NAME, HOTSPOT_CODE = "朔州站", "BVSTATION"
VENUE_CODE = "BV{:08d}"              # the venues this script adds
STAY_MINUTES = (5, 120)
WINDOW = datetime.timedelta(days=4)
MIN_OVERLAP = datetime.timedelta(minutes=10)
BULK_SOURCE = "scan"                 # rows loaded directly; the batch path writes "terminal"
GOALS = {"one_case_ms": 100}


def main() -> None:
    args = _arguments()
    start_django(args.db, name=BENCH_DB, server=args.server, reuse=args.reuse)
    figures = {"bench": "contact_tracing", "db": args.db, "scale": args.scale,
               "seed": args.seed, "seed_seconds": _prepare(args)}
    _run(args, figures)
    print(json.dumps(figures, ensure_ascii=False))


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch", type=int, default=20000, help="scans per check_in_batch")
    parser.add_argument("--ingest", type=float, default=0.05,
                        help="share of the check-ins (the latest) sent through check_in_batch")
    parser.add_argument("--ingest-all", action="store_true",
                        help="send every check-in through check_in_batch")
    parser.add_argument("--no-floor", action="store_true", help="skip the COPY floor")
    parser.add_argument("--cases", type=int, default=15,
                        help="single cases (without the station) timed one by one")
    parser.add_argument("--many", type=int, default=100, help="cases matched in one call")
    parser.add_argument("--repeat", type=int, default=None,
                        help="runs of the 100 cases' call (default 3; 1 on SQLite)")
    parser.add_argument("--explain", action="store_true",
                        help="print EXPLAIN ANALYZE of the many cases' statement")
    parser.add_argument("--reuse", action="store_true",
                        help="keep an already seeded PostgreSQL bench database and the "
                             "directly loaded check-ins")
    add_database_arguments(parser)
    args = parser.parse_args()
    if args.repeat is None:
        args.repeat = 3 if args.db == "postgres" else 1
    return args


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _prepare(args) -> float | None:
    from django.core.management import call_command

    from fangkong.demo.seeding import city_exists

    if city_exists():
        return None
    started = time.perf_counter()
    call_command("seed_city", scale=args.scale, seed=args.seed, if_empty=True)
    return round(time.perf_counter() - started, 1)


def _timed(figures: dict, key: str, fn):
    started = time.perf_counter()
    value = fn()
    figures[key] = round(time.perf_counter() - started, 3)
    return value


def _sql(*statements: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _vacuum_analyze() -> None:
    """Statistics, and on PostgreSQL the visibility map that index-only scans need."""
    from django.db import connection

    if connection.vendor == "postgresql":
        _sql("VACUUM ANALYZE tracing_checkin")
    else:
        _sql("ANALYZE tracing_checkin")


# --- the city's venues -------------------------------------------------------------------

def _venues(args, figures) -> tuple[int, list[int], dict[int, str]]:
    """(the station's id, the other venues' ids in popularity order, {id: code})."""
    from fangkong.places.models import Venue

    wanted = max(2, round(VENUES * args.scale))
    if not Venue.objects.filter(code=HOTSPOT_CODE).exists():
        _timed(figures, "venues_s", lambda: _add_venues(args, wanted))
    codes = dict(Venue.objects.values_list("id", "code"))
    station = next(pk for pk, code in codes.items() if code == HOTSPOT_CODE)
    others = sorted(pk for pk in codes if pk != station)
    random.Random(f"{args.seed}:popularity").shuffle(others)
    figures["venues"] = len(codes)
    return station, others, codes


def _add_venues(args, wanted: int) -> None:
    """The station through the service; the rest by bulk rows in random communities."""
    import uuid

    from django.db import connection, transaction
    from django.utils import timezone

    from fangkong.core.bulk import table_sink
    from fangkong.demo.bulk import next_id, reset_sequences
    from fangkong.demo.citygen import VENUE_COLUMNS
    from fangkong.places.models import Level, Place, Venue, VenueKind
    from fangkong.places.services import venue_create

    rng = random.Random(f"{args.seed}:venues")
    communities = list(Place.objects.filter(level=Level.COMMUNITY).order_by("path")
                       .values_list("id", "name"))
    kinds = [k for k in VenueKind.values if k != VenueKind.BUS_ROUTE]
    stamp = str(connection.ops.adapt_datetimefield_value(timezone.now()))
    with transaction.atomic():
        station = venue_create(acting_user=None, place=Place.objects.get(pk=communities[0][0]),
                               name=HOTSPOT_NAME, kind=VenueKind.OTHER)
        Venue.objects.filter(pk=station.pk).update(code=HOTSPOT_CODE)
        first, missing = next_id(Venue), wanted - Venue.objects.count()
        with table_sink(Venue, VENUE_COLUMNS) as sink:
            for n in range(max(0, missing)):
                place_id, name = communities[rng.randrange(len(communities))]
                sink.append((str(first + n), uuid.UUID(int=rng.getrandbits(128)).hex, stamp,
                             stamp, str(place_id), f"{name}场所{n + 1:05d}", rng.choice(kinds),
                             VENUE_CODE.format(n + 1), name))
                sink.flush()
        if connection.vendor == "postgresql":
            reset_sequences([Venue])
    _log(f"venues: {Venue.objects.count():,}")


# --- the check-ins -----------------------------------------------------------------------

class Visits:
    """Every resident's stays, generated from the seed in person order: 12 or 13 slots of
    the 14 days (the share with 13 makes the total exact), one stay of 5–120 minutes inside
    each, so a person's stays never overlap and (venue, person, arrival) is unique. A stay is
    at the station with probability 1/4, else at the other venues by rank r with
    probability ~ 1/r (log-uniform rank)."""

    def __init__(self, seed: int, people: list[int], station: int, others: list[int],
                 total: int):
        self.seed, self.people, self.station, self.others = seed, people, station, others
        self.total = total

    def __iter__(self):
        """(minute of arrival, person id, venue id, minutes) for everyone."""
        rng = random.Random(f"{self.seed}:visits")
        rand, exp = rng.random, math.exp
        station, others = self.station, self.others
        # exp(u * log(n + 1)) for u in [0, 1) is a rank in [1, n] drawn with P(r) ~ 1/r
        spread = math.log(len(others) + 1) / (1 - HOTSPOT_SHARE)
        shortest, choices = STAY_MINUTES[0], STAY_MINUTES[1] - STAY_MINUTES[0] + 1
        count = len(self.people)
        base, extra = divmod(self.total, count)
        for index, person in enumerate(self.people):
            slots = base + ((index + 1) * extra // count - index * extra // count)
            length = PERIOD / slots
            for slot in range(slots):
                minutes = shortest + int(rand() * choices)
                r = rand()
                yield (int(slot * length + rand() * (length - minutes)), person,
                       station if r < HOTSPOT_SHARE
                       else others[int(exp((r - HOTSPOT_SHARE) * spread)) - 1], minutes)


class Clock:
    """Minute offsets from START as aware datetimes and as database text, looked up."""

    def __init__(self):
        from django.db import connection

        span = PERIOD + STAY_MINUTES[1] + 1
        self.at = [START + datetime.timedelta(minutes=m) for m in range(span)]
        adapt = connection.ops.adapt_datetimefield_value
        self.text = [str(adapt(at)) for at in self.at]


CHECKIN_FIELDS = ("venue_id", "person_id", "checked_in_at", "left_at", "source", "recorded_at")


def _load(visits: Visits, clock: Clock, cut: int, figures) -> tuple[array, ...]:
    """Write the check-ins that arrived before minute `cut` into the empty table (indexes
    built afterwards); return the rest, the ones the batch path will take, as columns."""
    from django.db import transaction

    from fangkong.core.bulk import table_sink
    from fangkong.demo.bulk import indexes_deferred
    from fangkong.tracing.models import CheckIn

    later = tuple(array("i") for _ in range(4))
    keep = [column.append for column in later]
    text = clock.text
    stamp = text[PERIOD]
    started = time.perf_counter()
    with transaction.atomic(), indexes_deferred([CheckIn]), \
            table_sink(CheckIn, CHECKIN_FIELDS) as sink:
        append, rows, flush = sink.append, sink.rows, sink.flush
        for arrival, person, venue, minutes in visits:
            if arrival >= cut:
                for put, value in zip(keep, (arrival, person, venue, minutes), strict=True):
                    put(value)
                continue
            append((str(venue), str(person), text[arrival], text[arrival + minutes],
                    BULK_SOURCE, stamp))
            if len(rows) >= 20000:
                flush()
                if sink.total % 1_000_000 == 0:
                    _log(f"  {sink.total:,} rows written")
        loaded = sink.total + len(rows)
    figures["load_s"] = round(time.perf_counter() - started, 1)
    figures["loaded"] = loaded
    _log(f"loaded {loaded:,} check-ins directly in {figures['load_s']} s")
    return later


def _later_only(visits: Visits, cut: int) -> tuple[array, ...]:
    """--reuse: the loaded check-ins are there; only the later ones are wanted."""
    later = tuple(array("i") for _ in range(4))
    keep = [column.append for column in later]
    for row in visits:
        if row[0] >= cut:
            for put, value in zip(keep, row, strict=True):
                put(value)
    return later


def _checkins(args, figures, station, others) -> tuple[Visits, tuple[array, ...]]:
    """The check-ins loaded directly (unless --reuse finds them), and the later ones."""
    from fangkong.people.models import IdType, Person
    from fangkong.tracing.models import CheckIn

    people = list(Person.objects.active().filter(id_type=IdType.MAINLAND).order_by("id")
                  .values_list("id", flat=True))
    total = round(CHECKINS * args.scale)
    visits = Visits(args.seed, people, station, others, total)
    cut = 0 if args.ingest_all else round(PERIOD * (1 - args.ingest))
    figures.update(people=len(people), checkins=total, days=DAYS,
                   ingest_from=(START + datetime.timedelta(minutes=cut)).isoformat())
    clock = Clock()
    loaded = CheckIn.objects.filter(source=BULK_SOURCE).count()
    if loaded and loaded == CheckIn.objects.filter(
            checked_in_at__lt=clock.at[cut]).count():
        _log(f"reusing {loaded:,} loaded check-ins; clearing the batch path's rows")
        _sql(f"DELETE FROM tracing_checkin WHERE source <> '{BULK_SOURCE}'")  # noqa: S608
        _vacuum_analyze()
        figures["loaded"] = loaded
        return visits, _later_only(visits, cut)
    _sql("DELETE FROM tracing_checkin")
    later = _load(visits, clock, cut, figures)
    _timed(figures, "load_vacuum_analyze_s", _vacuum_analyze)
    return visits, later


# --- ingest through the batch path ---------------------------------------------------------

def _scan_batches(later, people_numbers, codes, clock, size):
    """The later check-ins in arrival order as lists of Scans of `size`."""
    from fangkong.tracing.services import Scan

    arrivals, persons, venues, minutes = later
    order = sorted(range(len(arrivals)), key=arrivals.__getitem__)
    at = clock.at
    for start in range(0, len(order), size):
        yield [Scan(codes[venues[i]], people_numbers[persons[i]], at[arrivals[i]],
                    at[arrivals[i] + minutes[i]]) for i in order[start:start + size]]


def _uploaded(scans):
    """The clock a minute after the batch's last stay ended: when its gate uploads it."""
    import time_machine

    return time_machine.travel(max(s.left_at for s in scans) + datetime.timedelta(minutes=1),
                               tick=False)


def _ingest(args, figures, later, codes, clock) -> None:
    from fangkong.people.models import IdType, Person
    from fangkong.tracing.services import check_in_batch

    numbers = dict(Person.objects.filter(id_type=IdType.MAINLAND).values_list("id", "id_number"))
    count = len(later[0])
    if not args.no_floor:
        _floor(figures, later, clock)
    spent, accepted, calls, last = 0.0, 0, 0, None
    for scans in _scan_batches(later, numbers, codes, clock, args.batch):
        with _uploaded(scans):
            started = time.perf_counter()
            report = check_in_batch(acting_user=None, scans=scans)
            spent += time.perf_counter() - started
        assert not report.refused, report.refused[:3]
        accepted, calls, last = accepted + report.accepted, calls + 1, scans
        if calls % 10 == 0:
            _log(f"  {accepted:,} through check_in_batch, {accepted / spent:,.0f}/s")
    with _uploaded(last):
        started = time.perf_counter()
        retry = check_in_batch(acting_user=None, scans=last)
        figures["retry_batch_s"] = round(time.perf_counter() - started, 3)
    assert accepted == count, (accepted, count)
    assert (retry.accepted, retry.unchanged) == (0, len(last)), retry
    figures.update(ingested=accepted, ingest_calls=calls, ingest_s=round(spent, 2),
                   ingest_rows_per_s=round(accepted / spent), retry_batch_scans=len(last))
    _log(f"ingested {accepted:,} in {spent:.1f} s ({calls} calls)")
    _timed(figures, "ingest_vacuum_analyze_s", _vacuum_analyze)


def _floor(figures, later, clock) -> None:
    """The same rows by COPY (SQLite: executemany) into the full table, rolled back."""
    from django.db import connection, transaction

    from fangkong.core.bulk import table_sink
    from fangkong.tracing.models import CheckIn, Source

    arrivals, persons, venues, minutes = later
    text = clock.text
    rows = [(str(venues[i]), str(persons[i]), text[arrivals[i]], text[arrivals[i] + minutes[i]],
             Source.TERMINAL, text[PERIOD]) for i in sorted(range(len(arrivals)),
                                                             key=arrivals.__getitem__)]
    started = time.perf_counter()
    with transaction.atomic():
        with table_sink(CheckIn, CHECKIN_FIELDS) as sink:
            for row in rows:
                sink.append(row)
                sink.flush()
        if connection.vendor == "postgresql":  # the deferred foreign keys, checked now
            _sql("SET CONSTRAINTS ALL IMMEDIATE")
        transaction.set_rollback(True)
    figures["floor_s"] = round(time.perf_counter() - started, 2)
    figures["floor_rows_per_s"] = round(len(rows) / figures["floor_s"])
    if connection.vendor == "postgresql":
        _sql("VACUUM tracing_checkin")
    _log(f"COPY floor: {len(rows):,} rows in {figures['floor_s']} s")


# --- companions ------------------------------------------------------------------------------

def _stays(person_id: int, until: datetime.datetime):
    from fangkong.tracing.matching import Probe
    from fangkong.tracing.models import CheckIn

    rows = CheckIn.objects.filter(person_id=person_id, checked_in_at__gte=until - WINDOW,
                                  checked_in_at__lt=until).values_list(
        "id", "venue_id", "checked_in_at", "left_at")
    return [Probe(*row) for row in rows]


def _cases(rng, people, count, *, avoid=None):
    """`count` random people with stays in a 4-day window ending at a random time (none of
    them at venue `avoid`): [(person id, probes)]."""
    chosen = []
    while len(chosen) < count:
        until = START + WINDOW + datetime.timedelta(
            minutes=rng.randrange(PERIOD - int(WINDOW.total_seconds() // 60)))
        probes = _stays(rng.choice(people), until)
        if probes and not any(p.venue_id == avoid for p in probes):
            chosen.append(probes)
    return chosen


def _pairs(groups) -> int:
    """(stay, person) pairs in companions()' result, one group per stay."""
    return sum(len(g.people) for g in groups)


def _one_case(args, figures, people, station) -> None:
    from fangkong.tracing.matching import companions

    rng = random.Random(f"{args.seed}:one")
    samples, found = [], []
    for probes in _cases(rng, people, args.cases, avoid=station):
        companions(probes, min_overlap=MIN_OVERLAP)  # warm
        started = time.perf_counter()
        result = companions(probes, min_overlap=MIN_OVERLAP)
        samples.append((time.perf_counter() - started) * 1000)
        found.append(_pairs(result))
    figures.update(one_case_cases=len(samples), one_case_median_ms=round(
        statistics.median(samples), 1), one_case_max_ms=round(max(samples), 1),
        one_case_median_companions=statistics.median(found))


def _many_cases(args, figures, people, station) -> list:
    """100 random cases' stays in one call of companions(); returns the probes."""
    from fangkong.tracing.matching import companions

    rng = random.Random(f"{args.seed}:many")
    probes = [p for stays in _cases(rng, people, args.many) for p in stays]
    figures.update(many_cases=args.many, many_probes=len(probes),
                   many_probes_at_station=sum(p.venue_id == station for p in probes))
    samples = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        result = companions(probes, min_overlap=MIN_OVERLAP)
        samples.append(time.perf_counter() - started)
        _log(f"  100 cases: {_pairs(result):,} matches in {samples[-1]:.2f} s")
    figures.update(many_matches=_pairs(result), many_s=round(statistics.median(samples), 2),
                   many_min_s=round(min(samples), 2),
                   many_people=len({person for g in result for person in g.people}))
    if connection_vendor() == "postgresql":
        _server_side(figures, probes)
    return probes


def connection_vendor() -> str:
    from django.db import connection

    return connection.vendor


def _server_side(figures, probes) -> None:
    """The statement alone, summed up on the server: what the database spends, without
    sending the rows to Python; and the statement sent in binary (COPY) but not decoded:
    what the server spends to send them."""
    from django.db import connection

    from fangkong.tracing.matching import _statement, longest_stay

    sql, params, _shared = _statement(probes, MIN_OVERLAP, longest_stay())
    samples = []
    for _ in range(2):
        with connection.cursor() as cursor:
            started = time.perf_counter()
            cursor.execute(f"SELECT sum(cardinality(people)) FROM ({sql}) AS m", params)  # noqa: S608
            found = cursor.fetchone()[0]
            samples.append(time.perf_counter() - started)
    assert found == figures["many_matches"], (found, figures["many_matches"])
    figures["many_server_s"] = round(min(samples), 2)
    sent = []
    with connection.cursor() as cursor:
        statement = cursor.cursor.mogrify(sql, params)
        for _ in range(2):
            size = 0
            started = time.perf_counter()
            with cursor.cursor.copy(f"COPY ({statement}) TO STDOUT (FORMAT binary)") as copy:
                for chunk in copy:
                    size += len(chunk)
            sent.append(time.perf_counter() - started)
    figures.update(many_sent_s=round(min(sent), 2), many_sent_mb=round(size / 1e6))


def _explain(probes) -> None:
    from django.db import connection

    from fangkong.tracing.matching import _statement, longest_stay

    sql, params, _shared = _statement(probes, MIN_OVERLAP, longest_stay())
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, SETTINGS) {sql}", params)
        print("\n".join(line for line, in cursor.fetchall()))


# --- DuckDB, the reference -----------------------------------------------------------------

DUCK_JOIN = """
SELECT p.k, c.person_id,
       sum(least(c.left_at, p.e) - greatest(c.checked_in_at, p.s)) AS shared,
       max(least(c.left_at, p.e)) AS last_at
FROM probe p JOIN checkin c
  ON c.venue_id = p.v AND c.checked_in_at < p.e AND c.left_at > p.s
GROUP BY p.k, c.person_id
HAVING sum(least(c.left_at, p.e) - greatest(c.checked_in_at, p.s)) >= ?
"""


def _duckdb(args, figures, probes) -> None:
    """The same check-ins in DuckDB (epoch seconds), the same probes, the interval join."""
    import tempfile

    try:
        import duckdb
    except ImportError:
        _log("DuckDB is not installed (pip install duckdb==1.5.6): no reference")
        figures["duckdb"] = "not installed"
        return
    from django.db import connection

    duck = duckdb.connect()
    with tempfile.TemporaryDirectory(prefix="fangkong-bench-duck-") as folder:
        path = os.path.join(folder, "checkins.csv")
        started = time.perf_counter()
        with open(path, "wb") as out, connection.cursor() as cursor, cursor.cursor.copy(
                "COPY (SELECT venue_id, person_id, extract(epoch FROM checked_in_at)::bigint, "
                "extract(epoch FROM left_at)::bigint FROM tracing_checkin) TO STDOUT "
                "(FORMAT csv)") as copy:
            for chunk in copy:
                out.write(chunk)
        figures["duckdb_export_s"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        duck.execute("CREATE TABLE checkin AS SELECT * FROM read_csv(?, header = false, "
                     "columns = {'venue_id': 'BIGINT', 'person_id': 'BIGINT', "
                     "'checked_in_at': 'BIGINT', 'left_at': 'BIGINT'})", [path])
    duck.execute("CREATE TABLE probe (k BIGINT, v BIGINT, s BIGINT, e BIGINT)")
    duck.executemany("INSERT INTO probe VALUES (?, ?, ?, ?)", [
        (p.key, p.venue_id, int(p.start.timestamp()), int(p.end.timestamp())) for p in probes])
    figures["duckdb_load_s"] = round(time.perf_counter() - started, 1)
    minimum = int(MIN_OVERLAP.total_seconds())
    samples = []
    for _ in range(args.repeat):
        duck.execute("DROP TABLE IF EXISTS companion")
        started = time.perf_counter()
        duck.execute(f"CREATE TABLE companion AS {DUCK_JOIN}", [minimum])  # noqa: S608
        samples.append(time.perf_counter() - started)
    pairs = duck.execute("SELECT count(*) FROM companion").fetchone()[0]
    duck.execute("DROP TABLE companion")
    figures.update(duckdb_version=duckdb.__version__, duckdb_threads=duck.execute(
        "SELECT current_setting('threads')").fetchone()[0],
        duckdb_s=round(statistics.median(samples), 2), duckdb_matches=pairs,
        same_matches=pairs == figures["many_matches"],
        duckdb_to_python_s=_duckdb_to_python(args, duck, minimum))
    _log(f"DuckDB: {pairs:,} matches in {figures['duckdb_s']} s, "
         f"to Python {figures['duckdb_to_python_s']} s")


def _duckdb_to_python(args, duck, minimum) -> float:
    """The same join handed to Python, as companions() hands its result (fetchall; the
    collector paused, as companions() does): the like-for-like reference for the call."""
    import gc

    samples = []
    for _ in range(args.repeat):
        gc.disable()
        try:
            started = time.perf_counter()
            rows = duck.execute(DUCK_JOIN, [minimum]).fetchall()
            samples.append(time.perf_counter() - started)
        finally:
            gc.enable()
        del rows
    return round(statistics.median(samples), 2)


# --- the run ---------------------------------------------------------------------------------

def _run(args, figures) -> None:
    from django.db import connection

    station, others, codes = _venues(args, figures)
    visits, later = _checkins(args, figures, station, others)
    _ingest(args, figures, later, codes, Clock())
    people = visits.people
    _one_case(args, figures, people, station)
    probes = _many_cases(args, figures, people, station)
    if connection.vendor == "postgresql":
        _duckdb(args, figures, probes)
        if args.explain:
            _explain(probes)
    else:
        _log("SQLite: no DuckDB reference (it reads the PostgreSQL table's export)")
    figures["station_checkins"] = _count_at(station)
    print(f"database      {connection.vendor} {connection.settings_dict['NAME']}")
    print(f"machine       {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}")
    _print(figures)


def _count_at(venue_id: int) -> int:
    from fangkong.tracing.models import CheckIn

    return CheckIn.objects.filter(venue_id=venue_id).count()


def _print(f: dict) -> None:
    print(f"people        {f['people']:>12,}")
    print(f"venues        {f['venues']:>12,}   station {f['station_checkins']:,} check-ins")
    print(f"check-ins     {f['checkins']:>12,}   over {f['days']} days; "
          f"{f.get('loaded', 0):,} loaded directly"
          + (f" in {f['load_s']} s" if "load_s" in f else " (reused)"))
    print(f"ingest        {f['ingested']:>12,}   through check_in_batch ({f['ingest_calls']} "
          f"calls, arrivals from {f['ingest_from'][:16]}): {f['ingest_s']:.1f} s, "
          f"{f['ingest_rows_per_s']:,} rows/s")
    if "floor_s" in f:
        print(f"  floor: the same rows by COPY into the table: {f['floor_s']:.1f} s, "
              f"{f['floor_rows_per_s']:,} rows/s")
    print(f"  a retried batch of {f['retry_batch_scans']:,} (all unchanged): "
          f"{f['retry_batch_s']:.2f} s; VACUUM ANALYZE after: {f['ingest_vacuum_analyze_s']} s")
    print(f"one case without the station ({f['one_case_cases']} cases, median "
          f"{f['one_case_median_companions']:,} matches): median {f['one_case_median_ms']} ms,"
          f" max {f['one_case_max_ms']} ms (goal <= {GOALS['one_case_ms']} ms)")
    print(f"{f['many_cases']} cases, {f['many_probes']} stays ({f['many_probes_at_station']} "
          f"at the station): {f['many_matches']:,} matches ({f['many_people']:,} people)")
    print(f"  companions()    median {f['many_s']:.2f} s (best {f['many_min_s']:.2f} s)"
          + (f"; the statement alone on the server {f['many_server_s']:.2f} s, sent but not "
             f"decoded {f['many_sent_s']:.2f} s ({f['many_sent_mb']} MB)"
             if "many_server_s" in f else ""))
    if "duckdb_s" in f:
        print(f"  DuckDB {f['duckdb_version']} ({f['duckdb_threads']} threads) interval join: "
              f"median {f['duckdb_s']:.2f} s, {f['duckdb_matches']:,} matches — "
              f"{'the same' if f['same_matches'] else 'NOT the same'} count "
              f"(export {f['duckdb_export_s']} s, load {f['duckdb_load_s']} s, not timed); "
              f"handed to Python (fetchall) median {f['duckdb_to_python_s']:.2f} s")


if __name__ == "__main__":
    main()
