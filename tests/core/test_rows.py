"""Rows of hand-written SQL come out as the ORM gives them, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from peerportal.core.rows import converters_for, read_rows, value_reader
from peerportal.warmline.models import Shift, WarmLine
from tests.warmline.factories import ShiftFactory, WarmLineFactory

pytestmark = pytest.mark.django_db


def test_plain_rows_read_like_the_orms():
    start = dt.datetime(2027, 3, 14, 6, 30, tzinfo=dt.UTC)  # New York's DST morning
    line = WarmLineFactory(has_chat=True, has_text=False)
    shift = ShiftFactory(line=line, starts_at=start, ends_at=start + dt.timedelta(hours=3))
    fields = [Shift._meta.get_field("starts_at"), WarmLine._meta.get_field("has_chat")]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.starts_at, l.has_chat, l.has_text, s.id FROM warmline_shift s"
            " JOIN warmline_warmline l ON l.id = s.line_id WHERE s.id = %s",
            [shift.pk],
        )
        fetched = cursor.fetchall()
    [(starts_at, has_chat, has_text, pk)] = read_rows(fields, fetched)
    orm = Shift.objects.select_related("line").get(pk=shift.pk)
    assert starts_at == orm.starts_at == start and starts_at.utcoffset() == dt.timedelta(0)
    assert has_chat is True  # a boolean, not SQLite's 1
    assert pk == shift.pk  # columns past the fields are left as they are
    assert has_text in (False, 0)  # not among the fields: as the driver gave it
    assert value_reader(fields[0])(fetched[0][0]) == start
    # PostgreSQL's driver needs nothing done to these; SQLite's needs both converted.
    expected = 0 if connection.vendor == "postgresql" else 2
    assert len(converters_for(fields)) == expected
