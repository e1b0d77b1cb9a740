"""Benchmark `seed-city` on a fresh database.

    python bench/seed_city.py --scale 1 --db postgres
    python bench/seed_city.py --scale 0.02 --db sqlite

SQLite: a temporary file. PostgreSQL: the database `fangkong_bench` (dropped and created)
at postgres://postgres@127.0.0.1:5432, or the server named by --server. Migrations run
first and are not timed; the seed is timed in-process. The last line of output is one JSON
object for machines.
"""

import argparse
import json
import os
import platform
import sys
import time

from _setup import add_database_arguments, start_django

BENCH_DB = "fangkong_bench"


def main() -> None:
    args = _arguments()
    start_django(args.db, name=BENCH_DB, server=args.server)
    result = _run(args)
    print(json.dumps(result, ensure_ascii=False))


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=1)
    add_database_arguments(parser)
    return parser.parse_args()


def _run(args) -> dict:
    from django.db import connection

    from fangkong.demo.seeding import seed_city

    started = time.perf_counter()
    summary = seed_city(scale=args.scale, seed=args.seed,
                        progress=lambda message: print(message, file=sys.stderr, flush=True))
    seconds = time.perf_counter() - started
    print(f"database      {connection.vendor} {connection.settings_dict['NAME']}")
    print(f"machine       {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}")
    for key, value in summary.counts().items():
        print(f"{key:<13} {value:>10,}")
    print(f"rows          {summary.rows:>10,}")
    print(f"seconds       {seconds:>10.1f}")
    print(f"rows/s        {summary.rows / seconds:>10,.0f}")
    return {"bench": "seed_city", "db": args.db, "scale": args.scale, "seed": args.seed,
            "residents": summary.people, "rows": summary.rows,
            "rows_per_s": round(summary.rows / seconds), "seconds": round(seconds, 2)}


if __name__ == "__main__":
    main()
