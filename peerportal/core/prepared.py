"""Small reads that every visit of a busy page runs with the same shape, and the inserts of
the busiest write (a booking), their statement built once per process instead of on every
request (``PreparedInsert``, at the end, for the inserts).

Building a queryset and compiling it to SQL costs four to ten times what running the
statement costs for a panel's three rows (about 1,300 Python calls against 150): the
dashboard runs five such reads a visit. ``PreparedRows`` keeps the ORM as the one
definition of the read: the queryset is built with marker values in place of the
parameters, compiled once per database, and each call runs that SQL with the marker slots
filled with the real values (adapted for the database as the ORM adapts them), its rows
converted as the ORM converts them (``results_iter``: aware datetimes on SQLite too).

    NEXT = PreparedRows(
        lambda person_id, now: Booking.objects.filter(
            member_id=person_id, session__ends_at__gt=now
        ).values_list("pk", "session__starts_at")[:5],
        person_id=int,
        now=dt.datetime,
    )
    rows = NEXT.rows(person_id=user.pk, now=timezone.now())

Only whole values may be parameters (an ``int``, ``str`` or aware ``datetime``), each used
as a plain comparison value: compiling fails loudly if a marker does not come out as one
parameter of the statement (a list, an expression on it...). Slicing is fine (LIMIT is part
of the SQL, not a parameter).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import connections
from django.db.models import QuerySet

# Values nobody stores: each marker is told apart from the statement's other parameters.
_INT_MARKER = -7_346_912_083
_STR_MARKER = "\x1fprepared-rows-marker-"
_DT_MARKER = dt.datetime(1901, 2, 3, 4, 5, 6, 789_000, tzinfo=dt.UTC)


class PreparedRows:
    def __init__(self, build: Callable[..., QuerySet], **kinds: type):
        """``build(**values)`` returns a ``values_list()`` queryset; ``kinds`` names each
        parameter's type (``int``, ``str`` or ``datetime.datetime``)."""
        for kind in kinds.values():
            if kind not in (int, str, dt.datetime):
                raise TypeError(f"PreparedRows parameters are int, str or datetime, not {kind}")
        self._build = build
        self._kinds = kinds
        self._compiled: dict[tuple[str, str], tuple] = {}

    def _markers(self) -> dict[str, object]:
        out: dict[str, object] = {}
        for i, (name, kind) in enumerate(self._kinds.items()):
            if kind is int:
                out[name] = _INT_MARKER - i
            elif kind is str:
                out[name] = f"{_STR_MARKER}{i}"
            else:
                out[name] = _DT_MARKER + dt.timedelta(minutes=i)
        return out

    def _compile(self, using: str):
        connection = connections[using]
        markers = self._markers()
        compiler = self._build(**markers).query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        adapted = {
            name: (
                connection.ops.adapt_datetimefield_value(marker)
                if self._kinds[name] is dt.datetime
                else marker
            )
            for name, marker in markers.items()
        }
        slots: list[tuple[bool, object]] = []  # (is a parameter, its name or the constant)
        found = set()
        for param in params:
            name = next(
                (n for n, a in adapted.items() if type(a) is type(param) and a == param), None
            )
            if name is None:
                slots.append((False, param))
            else:
                slots.append((True, name))
                found.add(name)
        missing = set(markers) - found
        if missing:
            raise ValueError(f"PreparedRows: {sorted(missing)} not found as statement parameters")
        return sql, slots, compiler

    def rows(self, using: str = "default", **values) -> list[tuple]:
        """The rows, as ``list(build(**values))`` gives them."""
        if values.keys() != self._kinds.keys():
            raise TypeError(f"PreparedRows.rows() takes {sorted(self._kinds)}")
        connection = connections[using]
        key = (using, connection.vendor)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = self._compile(using)
        sql, slots, compiler = compiled
        adapt = connection.ops.adapt_datetimefield_value
        kinds = self._kinds
        params = [
            (adapt(values[item]) if kinds[item] is dt.datetime else values[item])
            if is_param
            else item
            for is_param, item in slots
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
        return list(compiler.results_iter(results=[fetched], tuple_expected=True))


class PreparedInsert:
    """A model's INSERT of one or a few rows, its statement written once per database.

    ``Model.save()`` and ``bulk_create()`` build and compile an insert query on every call:
    for the rows a booking writes (the booking, its reminders, its audit event) that is
    several times the Python the statement costs to run. Here each row's values come from
    the ORM's own steps — every field's ``pre_save`` (defaults, ``auto_now``) and
    ``get_db_prep_save`` — into the statement Django's backend writes (its INSERT keyword
    and conflict clause, RETURNING of the primary key), kept per database and row count.

    Like ``bulk_create``, it sends no ``pre_save``/``post_save`` signals and runs no
    ``save()`` override: use it only for models that need neither (a test holds each user
    to that). Objects get their primary key (where the database returns it) and are
    marked as saved.

        BOOKING_INSERT = PreparedInsert(Booking)
        BOOKING_INSERT.insert([booking])
    """

    def __init__(self, model, *, ignore_conflicts: bool = False):
        meta = model._meta
        self.model = model
        self.ignore_conflicts = ignore_conflicts
        self.fields = [f for f in meta.concrete_fields if f is not meta.auto_field]
        odd = [f.name for f in self.fields if hasattr(f, "get_placeholder") or f.generated]
        if odd:  # their SQL depends on the value, or they are not inserted at all
            raise TypeError(f"PreparedInsert does not write fields like {odd} of {model}")
        self._statements: dict[tuple[str, str, int], tuple[str, bool]] = {}

    def _statement(self, connection, rows: int) -> tuple[str, bool]:
        from django.db.models.constants import OnConflict

        on_conflict = OnConflict.IGNORE if self.ignore_conflicts else None
        ops, meta = connection.ops, self.model._meta
        placeholders = ["%s"] * len(self.fields)
        parts = [
            ops.insert_statement(on_conflict=on_conflict),
            ops.quote_name(meta.db_table),
            "(" + ", ".join(ops.quote_name(f.column) for f in self.fields) + ")",
            ops.bulk_insert_sql(self.fields, [placeholders] * rows),
            ops.on_conflict_suffix_sql(self.fields, on_conflict, None, None),
        ]
        returning = bool(
            meta.auto_field is not None
            and connection.features.can_return_rows_from_bulk_insert
            and not self.ignore_conflicts  # a skipped row returns nothing: ids would not line up
        )
        if returning:
            parts.append(ops.return_insert_columns([meta.auto_field])[0])
        return " ".join(p for p in parts if p), returning

    def insert(self, objs: list, using: str = "default") -> None:
        if not objs:
            return
        connection = connections[using]
        key = (using, connection.vendor, len(objs))
        statement = self._statements.get(key)
        if statement is None:
            statement = self._statements[key] = self._statement(connection, len(objs))
        sql, returning = statement
        params = [
            field.get_db_prep_save(field.pre_save(obj, True), connection)
            for obj in objs
            for field in self.fields
        ]
        meta = self.model._meta
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            if returning:
                pks = [row[0] for row in cursor.fetchall()]
            elif meta.auto_field is not None and len(objs) == 1 and not self.ignore_conflicts:
                pks = [connection.ops.last_insert_id(cursor, meta.db_table, meta.pk.column)]
            else:
                pks = None
        for i, obj in enumerate(objs):
            if pks is not None:
                setattr(obj, meta.auto_field.attname, pks[i])
            obj._state.adding = False
            obj._state.db = using
