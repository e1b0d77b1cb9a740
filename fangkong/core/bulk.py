"""Bulk writing of rows: COPY on PostgreSQL, batched executemany on SQLite.

Rows are tuples of strings (None for NULL) in a declared column order. Writers append to a
sink's buffer and call `flush()` at natural boundaries, so memory stays bounded by one batch
however many rows there are. Values must hold no tab, newline or backslash: callers write
generated values or input already checked against a narrow pattern (barcodes, numbers).

Reading many rows by value goes the same way: `in_filters` is one `= ANY(array)` on
PostgreSQL and IN lists small enough for SQLite elsewhere.
"""

from contextlib import contextmanager

from django.db import connection
from django.db.models import F, Lookup, Q

BATCH_ROWS = 20000
CHUNK = 900  # values per IN (...) list: under SQLite's variable limit


class Sink:
    def __init__(self, write):
        self.rows: list[tuple] = []
        self.append = self.rows.append
        self.total = 0
        self._write = write

    def flush(self, force: bool = False) -> None:
        if self.rows and (force or len(self.rows) >= BATCH_ROWS):
            self._write(self.rows)
            self.total += len(self.rows)
            self.rows.clear()


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def table_columns(model, fields: tuple[str, ...]) -> tuple[str, str]:
    """The table name and quoted column list for `fields` (attribute names) of `model`."""
    columns = [model._meta.get_field(f.removesuffix("_id")).column for f in fields]
    quote = connection.ops.quote_name
    return quote(model._meta.db_table), ", ".join(quote(c) for c in columns)


@contextmanager
def table_sink(model, fields: tuple[str, ...]):
    table, columns = table_columns(model, fields)
    if is_postgres():
        with connection.cursor() as cursor, \
                cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            sink = Sink(lambda rows: copy.write(_copy_text(rows)))
            yield sink
            sink.flush(force=True)
        return
    connection.ensure_connection()
    raw = connection.connection
    # Table and column names come from model metadata, never from input.
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' * len(fields))})"  # noqa: S608
    sink = Sink(lambda rows: raw.executemany(sql, rows))
    yield sink
    sink.flush(force=True)


def _copy_text(rows: list[tuple]) -> str:
    """COPY text format. Generated values hold no tabs, newlines or backslashes."""
    try:
        return "\n".join(map("\t".join, rows)) + "\n"
    except TypeError:  # a NULL somewhere: rare (the city's parent), so the slow path is fine
        return "".join("\t".join(r"\N" if v is None else v for v in row) + "\n" for row in rows)


def chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start:start + size]


class AnyOf(Lookup):
    """`field = ANY(%s)`: one array parameter however many values (PostgreSQL only)."""

    lookup_name = "any_of"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        return "%s", [list(value)]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)


def in_filters(field_name: str, values: list) -> list:
    """Filters matching `field_name` against `values`: one `= ANY(array)` on PostgreSQL
    (an IN list of thousands costs more to build and parse than to run), IN lists of
    CHUNK values elsewhere."""
    if not values:
        return []
    if is_postgres():
        return [AnyOf(F(field_name), values)]
    return [Q(**{f"{field_name}__in": chunk}) for chunk in chunks(values)]
