"""Benchmark mass testing (全员核酸) over the whole demo city: bindings, results, coverage.

    python bench/mass_testing.py --scale 1 --db postgres
    python bench/mass_testing.py --scale 1 --db postgres --reuse   # keep the seeded city
    python bench/mass_testing.py --scale 0.02 --db sqlite

Seeds the city (`seed-city`, timed apart) into a fresh database (PostgreSQL:
`fangkong_bench_testing`, dropped and created unless --reuse finds it seeded, in which case
the testing rows of an earlier run are cleared; SQLite: a temporary file). Then, through the
services with no acting user: one laboratory, one sampling site per community, a round over
the city (low risk: 10合1 under the Shuozhou profile, 22 Nov 2022) opened; every person of
each community bound in household order, ten to a tube, by `bind_batch` (one call per
community, at most --batch bindings); each site's last, partial tube closed; results for
every tube (0.2 % positive pools) recorded by `results_record` in --chunk-row uploads, whose
pool follow-up (temporary control, retests) is timed apart; `coverage_tree` for every place;
and one community's coverage page (/testing/rounds/<uuid>/coverage/?place=<uuid>) for its
community worker, through Django's test client, median of --repeat runs.

Beside the bindings and the results stands the floor: the same rows written by PostgreSQL
COPY (SQLite: executemany) into the same tables, foreign keys checked, in a transaction that
is rolled back (then VACUUMed away, as autovacuum would). A PostgreSQL server running with
autovacuum off (as the development machine's does) never gathers statistics on the tables
the round fills, and its plans go quadratic; so the script does autovacuum's ANALYZE itself,
by autovacuum's rule (a table 10 % + 50 rows changed), timed apart (--no-analyze: don't).
The last line of output is one JSON object.
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import sys
import time
from zoneinfo import ZoneInfo

from _setup import add_database_arguments, start_django

BENCH_DB = "fangkong_bench_testing"
TZ = ZoneInfo("Asia/Shanghai")
ROUND_START = datetime.datetime(2022, 11, 22, 8, 0, tzinfo=TZ)
ROUND_END = datetime.datetime(2022, 11, 22, 20, 0, tzinfo=TZ)
TESTED_AT = datetime.datetime(2022, 11, 22, 23, 0, tzinfo=TZ)
POOL = 10
POSITIVE_EVERY = 500  # 0.2 % of tubes
SITE_NAME = "{community}核酸采样点"
WORKER = "bench_wangge"
GOALS = {"bind_people_per_s": 20000, "results_total_s": 30, "page_ms": 200}


def main() -> None:
    args = _arguments()
    start_django(args.db, name=BENCH_DB, server=args.server, reuse=args.reuse)
    seed_seconds = _prepare(args)
    result = _run(args)
    result["seed_seconds"] = seed_seconds
    print(json.dumps(result, ensure_ascii=False))


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch", type=int, default=20000,
                        help="most bindings in one bind_batch call (a multiple of 10)")
    parser.add_argument("--chunk", type=int, default=20000,
                        help="result rows in one results_record call (one lab file)")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--reuse", action="store_true",
                        help="keep an already seeded PostgreSQL bench database")
    parser.add_argument("--no-analyze", action="store_true",
                        help="do not stand in for autovacuum when the server has it off")
    add_database_arguments(parser)
    return parser.parse_args()


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _prepare(args) -> float | None:
    """Seed the city unless it is there; clear what an earlier run left."""
    from django.core.management import call_command

    from fangkong.demo.seeding import city_exists

    if city_exists():
        _clear()
        return None
    started = time.perf_counter()
    call_command("seed_city", scale=args.scale, seed=args.seed, if_empty=True)
    return round(time.perf_counter() - started, 1)


def _clear() -> None:
    """A reused PostgreSQL database (SQLite is a new file each run): the rounds, sites,
    laboratories, control orders and work items of the last run go (TRUNCATE … CASCADE
    takes the tubes, samples, retests and order events with them); audit events stay."""
    from django.db import connection

    from fangkong.places.models import Venue

    _log("clearing the testing rows of an earlier run…")
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE testing_laboratory, testing_testround, testing_samplingsite, "
                       "control_controlorder, inbox_workitem CASCADE")
    Venue.objects.filter(kind="other", name__endswith="核酸采样点").delete()


class Autovacuum:
    """autovacuum's ANALYZE on a PostgreSQL server that has autovacuum off: a table whose
    rows changed by more than 50 + 10 % since its last ANALYZE is analysed, at most once a
    second (the statistics it reads are flushed about that often). Timed apart."""

    def __init__(self, *, enabled: bool):
        from django.db import connection

        self.active = False
        if enabled and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SHOW autovacuum")
                self.active = cursor.fetchone()[0] == "off"
        self.seconds, self.runs, self.checked = 0.0, 0, 0.0

    def tick(self, *, force: bool = False) -> None:
        from django.db import connection

        if not self.active or (not force and time.perf_counter() - self.checked < 1):
            return
        started = time.perf_counter()
        with connection.cursor() as cursor:
            if force:
                cursor.execute("SELECT pg_stat_force_next_flush()")
            cursor.execute("SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class c "
                           "ON c.oid = s.relid WHERE s.n_mod_since_analyze > "
                           "50 + 0.1 * greatest(c.reltuples, 0)")
            for (table,) in cursor.fetchall():
                cursor.execute(f'ANALYZE "{table}"')
                self.runs += 1
        self.checked = time.perf_counter()
        self.seconds += self.checked - started

    def vacuum(self, *tables: str) -> None:
        """Clear the dead rows a rolled-back floor left (not timed)."""
        from django.db import connection

        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM {', '.join(tables)}")


# --- the steps --------------------------------------------------------------------------

def _run(args) -> dict:
    from django.db import connection

    from fangkong.people.models import Person

    figures: dict = {"bench": "mass_testing", "db": args.db, "scale": args.scale,
                     "seed": args.seed}
    world = _setup_round(figures)
    world.autovacuum = Autovacuum(enabled=not args.no_analyze)
    people = _people(world)
    figures["people"] = sum(len(rows) for rows in people.values())
    _bind(args, world, people, figures)
    _close_partial(world, figures)
    _results(args, world, figures)
    _coverage(world, figures)
    _page(args, world, figures)
    print(f"database      {connection.vendor} {connection.settings_dict['NAME']}")
    print(f"machine       {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}")
    print(f"residents     {Person.objects.count():>12,}")
    _print(figures)
    return figures


def _timed(figures: dict, key: str, fn):
    started = time.perf_counter()
    value = fn()
    figures[key] = round(time.perf_counter() - started, 3)
    return value


def _setup_round(figures: dict):
    """One lab, one site per community, an open round over the city: through the services."""
    from types import SimpleNamespace

    from fangkong.places.models import Level, Place
    from fangkong.places.services import venue_create
    from fangkong.testing import services
    from fangkong.testing.models import Laboratory, RoundStatus

    def build():
        w = SimpleNamespace()
        w.city = Place.objects.get(level=Level.CITY)
        w.lab = Laboratory.objects.create(name="朔州市疾控中心实验室", code="sz-cdc",
                                          place=w.city)
        w.sites = {}
        for community in Place.objects.filter(level=Level.COMMUNITY).order_by("path"):
            venue = venue_create(acting_user=None, place=community, kind="other",
                                 name=SITE_NAME.format(community=community.name))
            w.sites[community.path] = services.site_create(
                acting_user=None, venue=venue, points=4, per_point_hour=60)
        w.round = services.round_create(acting_user=None, number=1, name="全员核酸 第1轮",
                                        starts_at=ROUND_START, ends_at=ROUND_END,
                                        places=[(w.city, "low")])
        w.round = services.round_set_status(acting_user=None, test_round=w.round,
                                            status=RoundStatus.OPEN)
        return w

    world = _timed(figures, "setup_s", build)
    rule = world.round.round_places.get()
    assert (rule.pool_size, rule.per_household) == (POOL, False), rule
    figures["sites"] = len(world.sites)
    _log(f"round open over {len(world.sites)} communities, {rule.pool_size} swabs a tube")
    return world


def _people(world) -> dict[str, list[tuple[int, str]]]:
    """{community path: [(person id, ID number)]} in household order (not timed)."""
    from fangkong.places.models import PATH_STEP
    from fangkong.testing.selectors import round_people

    by_community: dict[str, list] = {path: [] for path in world.sites}
    rows = (round_people(world.round).order_by("household__path", "id")
            .values_list("id", "id_number", "household__path"))
    for pk, number, path in rows.iterator(chunk_size=20000):
        by_community[path[:4 * PATH_STEP]].append((pk, number))
    return by_community


def _tube_plan(people: dict) -> list[tuple[str, list]]:
    """[(community path, [(barcode, person id, ID number, sampled_at)])]: ten to a tube,
    times spread over the round's hours."""
    plan, serial = [], 0
    hours = (ROUND_END - ROUND_START) - datetime.timedelta(minutes=30)
    for path, rows in people.items():
        entries = []
        for index, (pk, number) in enumerate(rows):
            if index % POOL == 0:
                serial += 1
                when = ROUND_START + hours * (index / max(len(rows), 1))
            entries.append((f"B{serial:07d}", pk, number, when))
        plan.append((path, entries))
    return plan


def _bind(args, world, people, figures) -> None:
    from fangkong.testing import services

    plan = _tube_plan(people)
    figures["tubes"] = len({barcode for _p, entries in plan for barcode, *_r in entries})
    _log(f"{figures['people']:,} people in {figures['tubes']:,} tubes")
    _bind_floor(world, plan, figures)
    batch = args.batch - args.batch % POOL
    accepted = refused = calls = 0
    spent = 0.0
    for path, entries in plan:
        site = world.sites[path]
        for start in range(0, len(entries), batch):
            bindings = [services.Binding(barcode, number, when)
                        for barcode, _pk, number, when in entries[start:start + batch]]
            started = time.perf_counter()
            report = services.bind_batch(acting_user=None, test_round=world.round, site=site,
                                         bindings=bindings)
            spent += time.perf_counter() - started
            accepted, refused, calls = accepted + report.accepted, \
                refused + len(report.refused), calls + 1
            world.autovacuum.tick()
    assert refused == 0 and accepted == figures["people"], (accepted, refused)
    world.autovacuum.tick(force=True)
    figures.update(bind_s=round(spent, 2), bind_calls=calls,
                   bind_people_per_s=round(accepted / spent),
                   bind_analyze_s=round(world.autovacuum.seconds, 2),
                   bind_analyze_runs=world.autovacuum.runs)
    _log(f"bound {accepted:,} in {spent:.1f} s ({calls} calls)")


def _bind_floor(world, plan, figures) -> None:
    """The same tubes and samples written by COPY into the real tables, rolled back."""
    from django.db import connection, transaction
    from django.utils import timezone

    from fangkong.core.bulk import table_sink
    from fangkong.testing.models import Sample, Tube

    stamp, round_id = timezone.now().isoformat(), str(world.round.pk)
    tube_fields = ("id", "uuid", "created_at", "updated_at", "barcode", "round_id", "kind",
                   "capacity", "per_household", "site_id", "place_id", "size", "status",
                   "opened_at", "closed_at", "result", "reported_via")
    next_id = (Tube.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    import uuid

    tubes, samples = [], []
    for path, entries in plan:
        site = world.sites[path]
        by_tube: dict[str, list] = {}
        for barcode, pk, _number, when in entries:
            by_tube.setdefault(barcode, []).append((pk, when))
        for barcode, members in by_tube.items():
            tube_id = str(next_id)
            next_id += 1
            when = members[0][1].isoformat()
            tubes.append((tube_id, uuid.uuid4().hex, stamp, stamp, barcode, round_id, "pool",
                          str(POOL), "0", str(site.pk), str(site.venue.place_id),
                          str(len(members)), "closed", when, when, "", ""))
            samples += [(round_id, tube_id, str(pk), at.isoformat(), None, "0")
                        for pk, at in members]

    def write():
        with transaction.atomic():
            for model, fields, rows in ((Tube, tube_fields, tubes), (Sample, (
                    "round_id", "tube_id", "person_id", "sampled_at", "sampler_id", "retest"),
                    samples)):
                with table_sink(model, fields) as sink:
                    for row in rows:
                        sink.append(row)
                        sink.flush()
            if connection.vendor == "postgresql":  # the deferred foreign keys, checked now
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            transaction.set_rollback(True)

    _timed(figures, "bind_floor_s", write)
    world.autovacuum.vacuum("testing_sample", "testing_tube")
    figures["bind_floor_people_per_s"] = round(len(samples) / figures["bind_floor_s"])
    _log(f"COPY floor of the bindings: {figures['bind_floor_s']:.1f} s")


def _close_partial(world, figures) -> None:
    """A site's last tube holds the rest of its people: the sampler closes it."""
    from fangkong.testing import services
    from fangkong.testing.models import Tube, TubeStatus

    def close():
        tubes = list(Tube.objects.filter(round=world.round, status=TubeStatus.OPEN))
        for tube in tubes:
            services.tube_close(acting_user=None, tube=tube, at=ROUND_END)
        return len(tubes)

    figures["partial_tubes"] = _timed(figures, "close_partial_s", close)


def _result_rows(world):
    from decimal import Decimal

    from fangkong.testing.models import Tube
    from fangkong.testing.result_rules import ResultRow

    barcodes = list(Tube.objects.filter(round=world.round).order_by("barcode")
                    .values_list("barcode", flat=True))
    rows = []
    for index, barcode in enumerate(barcodes):
        line = f"row {index + 2}"
        if index % POSITIVE_EVERY == POSITIVE_EVERY // 2:
            rows.append(ResultRow(line, barcode, "positive", Decimal("28.0"), Decimal("30.0"),
                                  TESTED_AT))
        elif index % 2:
            rows.append(ResultRow(line, barcode, "negative", Decimal("41.0"), Decimal("41.0"),
                                  TESTED_AT))
        else:
            rows.append(ResultRow(line, barcode, "negative", None, None, TESTED_AT))
    return rows


def _results(args, world, figures) -> None:
    """results_record in lab-file-sized uploads; the pool follow-up inside it timed apart."""
    from fangkong.testing import services
    from fangkong.testing.services import lab as lab_module

    rows = _result_rows(world)
    _results_floor(world, rows, figures)
    world.autovacuum.vacuum("testing_tube")
    analyzed = world.autovacuum.seconds
    spent = {"follow_up": 0.0}
    follow_up = lab_module._follow_up_pools

    def timed_follow_up(*a, **kw):
        started = time.perf_counter()
        try:
            return follow_up(*a, **kw)
        finally:
            spent["follow_up"] += time.perf_counter() - started

    lab_module._follow_up_pools = timed_follow_up
    recorded = positive = controlled = 0
    started = time.perf_counter()
    try:
        for start in range(0, len(rows), args.chunk):
            report = services.results_record(acting_user=None, lab=world.lab,
                                             rows=rows[start:start + args.chunk], via="file")
            recorded += report.recorded
            positive += report.positive_pools
            controlled += report.people_controlled
            world.autovacuum.tick()
    finally:
        lab_module._follow_up_pools = follow_up
    total = time.perf_counter() - started - (world.autovacuum.seconds - analyzed)
    world.autovacuum.tick(force=True)
    figures["results_analyze_s"] = round(world.autovacuum.seconds - analyzed, 2)
    assert recorded == len(rows), (recorded, len(rows))
    figures.update(results=recorded, positive_pools=positive, people_controlled=controlled,
                   results_s=round(total - spent["follow_up"], 2),
                   follow_up_s=round(spent["follow_up"], 2),
                   results_rows_per_s=round(recorded / (total - spent["follow_up"])))
    _log(f"recorded {recorded:,} results in {total:.1f} s; {positive} positive pools, "
         f"{controlled} people under temporary control")


def _results_floor(world, rows, figures) -> None:
    """The result rows by COPY into a load table, then one UPDATE of the tubes; rolled back."""
    from django.db import connection, transaction
    from django.utils import timezone

    from fangkong.core.bulk import is_postgres
    from fangkong.testing.models import Tube

    ids = dict(Tube.objects.filter(round=world.round).values_list("barcode", "id"))
    now = timezone.now().isoformat()

    def text(value):
        return r"\N" if value is None else str(value)

    lines = "".join(f"{ids[r.barcode]}\t{r.result}\t{text(r.ct_orf1ab)}\t{text(r.ct_n)}\t"
                    f"{r.tested_at.isoformat()}\t{now}\tfile\treported\t{world.lab.pk}\t"
                    f"{r.tested_at.isoformat()}\n" for r in rows)
    if not is_postgres():
        _results_floor_sqlite(lines, figures)
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_result_load (id bigint, result varchar(8), "
                       "ct_orf1ab numeric(4,1), ct_n numeric(4,1), tested_at timestamptz, "
                       "reported_at timestamptz, reported_via varchar(8), status varchar(8), "
                       "lab_id bigint, received_at timestamptz) ON COMMIT DROP")
        started = time.perf_counter()
        with cursor.cursor.copy("COPY bench_result_load FROM STDIN") as copy:
            copy.write(lines)
        figures["results_floor_s"] = round(time.perf_counter() - started, 3)
        cursor.execute(
            "UPDATE testing_tube AS t SET result = l.result, ct_orf1ab = l.ct_orf1ab, "
            "ct_n = l.ct_n, tested_at = l.tested_at, reported_at = l.reported_at, "
            "reported_via = l.reported_via, status = l.status, lab_id = l.lab_id, "
            "received_at = l.received_at FROM bench_result_load AS l WHERE t.id = l.id")
        figures["results_floor_update_s"] = round(time.perf_counter() - started, 3)
        transaction.set_rollback(True)


def _results_floor_sqlite(lines: str, figures) -> None:
    """SQLite has no COPY: one executemany UPDATE of the same rows, rolled back."""
    from django.db import connection, transaction

    rows = [line.split("\t") for line in lines.splitlines()]
    params = [(*(None if v == r"\N" else v for v in row[1:]), row[0]) for row in rows]
    with transaction.atomic():
        started = time.perf_counter()
        connection.ensure_connection()
        connection.connection.executemany(
            "UPDATE testing_tube SET result = ?, ct_orf1ab = ?, ct_n = ?, tested_at = ?, "
            "reported_at = ?, reported_via = ?, status = ?, lab_id = ?, received_at = ? "
            "WHERE id = ?", params)
        figures["results_floor_s"] = round(time.perf_counter() - started, 3)
        figures["results_floor_update_s"] = None
        transaction.set_rollback(True)


def _coverage(world, figures) -> None:
    from fangkong.testing.selectors import coverage_tree

    tree = _timed(figures, "coverage_tree_s", lambda: coverage_tree(world.round))
    city = tree[world.city.path]
    assert city.sampled + city.exempt + city.untested == city.target
    figures.update(coverage_places=len(tree), city_target=city.target,
                   city_sampled=city.sampled, city_results_back=city.results_back)
    figures["results_total_s"] = round(figures["results_s"] + figures["follow_up_s"]
                                       + figures["coverage_tree_s"], 2)


def _typical_community(world):
    """The urban community of median population."""
    from django.db.models import Count

    from fangkong.people.models import Person
    from fangkong.places.models import PATH_STEP, Level, Place

    communities = {p.path: p for p in Place.objects.filter(level=Level.COMMUNITY, rural=False)}
    counts = {}
    for path in communities:
        counts[path] = 0
    for path, n in (Person.objects.values_list("household__path").annotate(n=Count("id"))
                    .values_list("household__path", "n")):
        key = path[:4 * PATH_STEP]
        if key in counts:
            counts[key] += n
    ranked = sorted(counts, key=counts.get)
    path = ranked[len(ranked) // 2]
    return communities[path], counts[path]


def _page(args, world, figures) -> None:
    """One community's coverage page for its community worker (or, if the page is not
    there yet, the selectors it needs), median of `repeat` runs after a warm-up."""
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from fangkong.accounts.models import User
    from fangkong.accounts.roles import Role
    from fangkong.accounts.services import user_create
    from fangkong.testing.selectors import coverage, untested

    community, size = _typical_community(world)
    user = User.objects.filter(username=WORKER).first()  # audited, so kept across runs
    if user is None:
        user = user_create(acting_user=None, username=WORKER, password="bench-only-1",  # noqa: S106
                           role=Role.COMMUNITY_WORKER, scope=community)
    assert user.scope_id == community.pk, "the bench's community worker works elsewhere"
    try:
        url = (reverse("testing:coverage", kwargs={"public_id": world.round.uuid})
               + f"?place={community.uuid}")
    except NoReverseMatch:
        url = None
    if url:
        client = Client(SERVER_NAME="localhost")
        client.force_login(user)

        def run():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
    else:
        def run():
            coverage(world.round, community)
            list(untested(world.round, community)[:50])
    run()
    samples = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    figures.update(page_timed="page" if url else "selectors", page_community=community.name,
                   page_people=size, page_median_ms=round(statistics.median(samples), 1),
                   page_max_ms=round(max(samples), 1))


def _print(f: dict) -> None:
    def rate(n, seconds):
        return f"{n / seconds:>12,.0f}" if seconds else f"{'—':>12}"

    print(f"sites         {f['sites']:>12,}   setup {f['setup_s']:.1f} s")
    print(f"people        {f['people']:>12,}")
    print(f"tubes         {f['tubes']:>12,}   ({f['partial_tubes']:,} partial, closed in "
          f"{f['close_partial_s']:.1f} s)")
    print(f"{'step':<34}{'seconds':>9}{'rows/s':>12}{'floor s':>9}{'floor rows/s':>14}")
    print(f"{'bindings (bind_batch)':<34}{f['bind_s']:>9.2f}{rate(f['people'], f['bind_s'])}"
          f"{f['bind_floor_s']:>9.2f}{rate(f['people'], f['bind_floor_s'])}")
    print(f"{'results (results_record)':<34}{f['results_s']:>9.2f}"
          f"{rate(f['results'], f['results_s'])}{f['results_floor_s']:>9.2f}"
          f"{rate(f['results'], f['results_floor_s'])}")
    both = f["results_floor_update_s"]
    if both is not None:
        print(f"{'  floor: COPY + one UPDATE FROM':<34}{'':>21}{both:>9.2f}"
              f"{rate(f['results'], both)}")
    print(f"ANALYZE standing in for autovacuum (not in the steps): bindings "
          f"{f['bind_analyze_s']:.1f} s ({f['bind_analyze_runs']} runs), results "
          f"{f['results_analyze_s']:.1f} s")
    print(f"{'pool follow-up':<34}{f['follow_up_s']:>9.2f}   "
          f"{f['positive_pools']} pools, {f['people_controlled']:,} people controlled")
    print(f"{'coverage_tree (every place)':<34}{f['coverage_tree_s']:>9.2f}   "
          f"{f['coverage_places']:,} places")
    print(f"{'results + follow-up + coverage':<34}{f['results_total_s']:>9.2f}   "
          f"goal <= {GOALS['results_total_s']} s")
    print(f"coverage {f['page_timed']} of {f['page_community']} ({f['page_people']:,} people): "
          f"median {f['page_median_ms']:.1f} ms, max {f['page_max_ms']:.1f} ms "
          f"(goal <= {GOALS['page_ms']} ms)")


if __name__ == "__main__":
    main()
