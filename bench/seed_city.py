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
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "fangkong_bench"


def main() -> None:
    args = _arguments()
    workdir = tempfile.mkdtemp(prefix="fangkong-bench-")
    os.environ["FANGKONG_VAR_DIR"] = workdir
    os.environ["DATABASE_URL"] = _database_url(args, workdir)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangkong.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    result = _run(args)
    print(json.dumps(result, ensure_ascii=False))


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="postgres")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432",
                        help="PostgreSQL server URL without a database name")
    return parser.parse_args()


def _database_url(args, workdir: str) -> str:
    if args.db == "sqlite":
        return f"sqlite:///{workdir}/bench.sqlite3"
    import psycopg

    with psycopg.connect(f"{args.server}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")
    return f"{args.server}/{BENCH_DB}"


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
