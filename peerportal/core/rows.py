"""Rows of hand-written SQL read as the ORM reads them.

Where a page's hottest reads are written-out statements (building the ORM query cost more
than running it), their values must still come out as the ORM gives them: SQLite's driver
returns datetimes as naive UTC text and booleans as 0 and 1, PostgreSQL's need nothing. The
backend's and the field's own converters do that, exactly as the ORM applies them.
"""

from __future__ import annotations

from django.db import connection

# Which of a statement's fields the backend converts, per (fields, alias, backend): model
# metadata, the same on every request (on PostgreSQL usually none).
_CONVERTED: dict[tuple, list] = {}


def converters_for(fields) -> list[tuple[int, list, object]]:
    """``(index, converters, column)`` of each of ``fields`` (a statement's columns, in
    order) whose values the ORM converts as it reads them on this connection."""
    key = (tuple(fields), connection.alias, connection.vendor)
    converted = _CONVERTED.get(key)
    if converted is None:
        converted = _CONVERTED[key] = [
            (i, field, field.get_col(field.model._meta.db_table))
            for i, field in enumerate(fields)
            if connection.ops.get_db_converters(field.get_col(field.model._meta.db_table))
            or field.get_db_converters(connection)
        ]
    # The converters themselves come from this connection (they may read its settings).
    return [
        (i, connection.ops.get_db_converters(col) + field.get_db_converters(connection), col)
        for i, field, col in converted
    ]


def convert(values: list, converters) -> list:
    """``values`` (a list, changed in place and returned) with ``converters_for``'s applied."""
    for i, found, col in converters:
        value = values[i]
        for step in found:
            value = step(value, col, connection)
        values[i] = value
    return values


def read_rows(fields, fetched) -> list:
    """``fetched`` rows whose first columns are ``fields``' (in order), each value read as
    the ORM reads it (the rows themselves when nothing needs converting)."""
    converters = converters_for(fields)
    if not converters:
        return fetched
    return [convert(list(row), converters) for row in fetched]


def value_reader(field):
    """A function reading one column of ``field`` as the ORM reads it."""
    converters = converters_for([field])
    return lambda value: convert([value], converters)[0]
