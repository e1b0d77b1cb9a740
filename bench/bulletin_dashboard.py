"""Benchmark the bulletin and the dashboard on a city with the Shuozhou scenario loaded.

    python bench/bulletin_dashboard.py --scale 1 --db postgres
    python bench/bulletin_dashboard.py --scale 1 --db postgres --reuse   # keep the seeded DB

Seeds the city (`seed-city`) and the scenario (`simulate shuozhou-2022-11`) into a fresh
database (PostgreSQL: `fangkong_bench_reports`, dropped and created unless --reuse finds it
seeded; SQLite: a temporary file), then times, for the command-centre user and for a district
user, the bulletin figures (`reports.bulletin.bulletin`) and the full pages
(/reports/bulletin/, /reports/dashboard/) rendered through Django's test client, as of
28 Nov 2022. Each is run `--repeat` times after one warm-up; median and max are printed.
The last line of output is one JSON object.
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import time

from _setup import add_database_arguments, start_django

BENCH_DB = "fangkong_bench_reports"
AS_OF = datetime.date(2022, 11, 28)


def main() -> None:
    args = _arguments()
    start_django(args.db, name=BENCH_DB, server=args.server, reuse=args.reuse)
    setup_seconds = _prepare(args)
    result = _measure(args)
    result["setup_seconds"] = setup_seconds
    print(json.dumps(result, ensure_ascii=False))


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--reuse", action="store_true",
                        help="keep an already seeded PostgreSQL bench database")
    add_database_arguments(parser)
    return parser.parse_args()


def _prepare(args) -> float:
    from django.core.management import call_command

    from fangkong.cases.models import Outbreak

    started = time.perf_counter()
    if not Outbreak.objects.exists():
        call_command("seed_city", scale=args.scale, seed=args.seed, if_empty=True)
        call_command("demo_users")
        call_command("simulate", "shuozhou-2022-11", seed=args.seed)
    return round(time.perf_counter() - started, 1)


def _timed(fn, repeat: int) -> dict:
    fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return {"median_ms": round(statistics.median(samples), 1), "max_ms": round(max(samples), 1)}


def _measure(args) -> dict:
    from django.db import connection
    from django.test import Client

    from fangkong.accounts.models import User
    from fangkong.cases.models import Case
    from fangkong.cases.selectors import outbreak_on
    from fangkong.people.models import Person
    from fangkong.reports.bulletin import bulletin

    outbreak = outbreak_on(AS_OF)
    figures = {}
    for username in ("zhihui", "quxian"):
        user = User.objects.get(username=username)
        client = Client(SERVER_NAME="localhost")
        client.force_login(user)

        def page(url, client=client):
            def get():
                response = client.get(url, {"date": AS_OF.isoformat()})
                assert response.status_code == 200, (url, response.status_code)
            return get

        figures[username] = {
            "bulletin_figures": _timed(lambda u=user: bulletin(u, AS_OF, outbreak), args.repeat),
            "bulletin_page": _timed(page("/reports/bulletin/"), args.repeat),
            "dashboard_page": _timed(page("/reports/dashboard/"), args.repeat),
            "dashboard_data": _timed(page("/reports/dashboard/data.json"), args.repeat),
        }
    print(f"database      {connection.vendor} {connection.settings_dict['NAME']}")
    print(f"machine       {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}")
    print(f"residents     {Person.objects.count():>10,}")
    print(f"cases         {Case.objects.count():>10,}")
    for username, rows in figures.items():
        for name, row in rows.items():
            print(f"{username:<8} {name:<17} median {row['median_ms']:>7.1f} ms"
                  f"   max {row['max_ms']:>7.1f} ms")
    worst = max(row["median_ms"] for rows in figures.values() for row in rows.values())
    return {"bench": "bulletin_dashboard", "db": args.db, "scale": args.scale,
            "as_of": AS_OF.isoformat(), "repeat": args.repeat, "worst_median_ms": worst,
            **{f"{u}_{k}_ms": v["median_ms"] for u, rows in figures.items()
               for k, v in rows.items()}}


if __name__ == "__main__":
    main()
