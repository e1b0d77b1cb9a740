"""What every bench script does first: a database of its own, the project's settings, Django."""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = "postgres://postgres@127.0.0.1:5432"


def add_database_arguments(parser) -> None:
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="postgres")
    parser.add_argument("--server", default=PG_SERVER,
                        help="PostgreSQL server URL without a database name")


def database_url(db: str, workdir: str, *, name: str, server: str = PG_SERVER,
                 reuse: bool = False) -> str:
    """A temporary SQLite file, or the PostgreSQL database `name`, dropped and created
    (kept when `reuse` and it exists)."""
    if db == "sqlite":
        return f"sqlite:///{workdir}/bench.sqlite3"
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not (reuse and exists):
            conn.execute(f"DROP DATABASE IF EXISTS {name}")
            conn.execute(f"CREATE DATABASE {name}")
    return f"{server}/{name}"


def start_django(db: str, *, name: str, server: str = PG_SERVER, reuse: bool = False) -> None:
    """Point the settings at the bench database, set Django up and migrate (not timed)."""
    workdir = tempfile.mkdtemp(prefix="fangkong-bench-")
    os.environ["FANGKONG_VAR_DIR"] = workdir
    os.environ["DATABASE_URL"] = database_url(db, workdir, name=name, server=server,
                                              reuse=reuse)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangkong.settings")
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
