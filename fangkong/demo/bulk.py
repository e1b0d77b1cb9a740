"""Bulk writing of generated rows: COPY on PostgreSQL, batched executemany on SQLite.

Rows are tuples of strings (None for NULL) in a declared column order. Generators append
to a sink's buffer and call `flush()` at natural boundaries, so memory stays bounded by one
batch however large the city.
"""

from contextlib import contextmanager

from django.core.management.color import no_style
from django.db import connection

from fangkong.core.bulk import is_postgres

SQLITE_LOAD_CACHE_KIB = -262144  # negative: KiB, so 256 MB

_CONSTRAINTS_SQL = """
    SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
    FROM pg_constraint
    WHERE conrelid = ANY(%s::text[]::regclass[]) AND contype IN ('f', 'u')
    ORDER BY contype = 'u', conrelid::regclass::text, conname
"""
_INDEXES_SQL = """
    SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid)
    FROM pg_index i
    WHERE indrelid = ANY(%s::text[]::regclass[]) AND NOT indisprimary
      AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                      WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid)
    ORDER BY 1
"""


@contextmanager
def indexes_deferred(models):
    """Load PostgreSQL tables without their secondary indexes, unique and foreign-key
    constraints, then rebuild them: a sort-based build and one validating join per key are
    several times faster than maintaining them row by row (the manual's "Populating a
    Database"). Only for empty tables, inside the loading transaction, so a failure
    restores everything. Primary keys stay, so other tables' references are untouched."""
    if not is_postgres():
        with _sqlite_indexes_deferred(models):
            yield
        return
    tables = [model._meta.db_table for model in models]
    with connection.cursor() as cursor:
        # Index builds sort in memory when they can; the default 64 MB spills to disk.
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cursor.execute(_CONSTRAINTS_SQL, [tables])
        constraints = cursor.fetchall()
        cursor.execute(_INDEXES_SQL, [tables])
        indexes = cursor.fetchall()
        for table, name, _definition in constraints:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {_quote(name)}")
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
    yield
    with connection.cursor() as cursor:
        for _name, definition in indexes:
            cursor.execute(definition)
        for table, name, definition in reversed(constraints):
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {_quote(name)} {definition}")
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


@contextmanager
def _sqlite_indexes_deferred(models):
    """SQLite's version: drop the separately created indexes (UNIQUE columns keep their
    automatic ones) and give the load a large page cache instead of spilling to disk."""
    tables = [model._meta.db_table for model in models]
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (cache_size,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = {SQLITE_LOAD_CACHE_KIB}")
        cursor.execute("SELECT tbl_name, name, sql FROM sqlite_master "
                       "WHERE type = 'index' AND sql IS NOT NULL ORDER BY name")
        indexes = [(name, sql) for table, name, sql in cursor.fetchall() if table in tables]
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {_quote(name)}")
    yield
    with connection.cursor() as cursor:
        for _name, definition in indexes:
            cursor.execute(definition)
        cursor.execute(f"PRAGMA cache_size = {int(cache_size)}")


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def next_id(model) -> int:
    from django.db.models import Max

    return (model.objects.aggregate(top=Max("id"))["top"] or 0) + 1


def reset_sequences(models) -> None:
    """Explicit ids leave PostgreSQL's identity sequences behind; move them past the max."""
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
