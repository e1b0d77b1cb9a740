"""`python -m fangkong.lib.pgcheck URL`: exit 0 when PostgreSQL answers at URL, else 1."""

import sys

import psycopg


def reachable(url: str) -> bool:
    dsn = url.rsplit("/", 1)[0] + "/postgres"
    try:
        with psycopg.connect(dsn, connect_timeout=3) as conn:
            conn.execute("select 1")
        return True
    except psycopg.Error:
        return False


if __name__ == "__main__":
    sys.exit(0 if reachable(sys.argv[1]) else 1)
