"""Inserting many model instances fast: COPY on PostgreSQL, executemany on SQLite.

`bulk_create` spends most of its time compiling SQL and preparing each value through the
field API; for 100 000 people and as many audit events that alone takes longer than the
whole import may. Here each column gets one converter, chosen once, and the rows go to
the database in one COPY or one executemany. Instances keep their Python defaults (uuid,
created_at); auto_now fields are set by the caller. Ids are not returned.
"""

import json

from django.db import connection

SQLITE_BATCH = 5000


def _converter(field):
    kind = field.get_internal_type()
    if kind == "UUIDField" and not connection.features.has_native_uuid_field:
        return lambda value: value.hex if value is not None else None
    if kind == "DateTimeField":
        return connection.ops.adapt_datetimefield_value
    if kind == "DateField":
        return connection.ops.adapt_datefield_value
    if kind == "JSONField":
        return lambda value: json.dumps(value, cls=field.encoder)
    return None


def insert_objects(model, objects) -> None:
    """INSERT `objects` with every concrete field but the primary key, which the database
    assigns."""
    if not objects:
        return
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    converters = [(field.attname, _converter(field)) for field in fields]
    rows = [tuple(convert(getattr(obj, name)) if convert else getattr(obj, name)
                  for name, convert in converters) for obj in objects]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(field.column) for field in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        # Table and column names come from model metadata, never from the file.
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608
        for start in range(0, len(rows), SQLITE_BATCH):
            cursor.executemany(sql, rows[start:start + SQLITE_BATCH])
