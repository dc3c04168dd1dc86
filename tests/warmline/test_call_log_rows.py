"""The call log's table rows, made in the view (``_call_rows_html``, warmline/views/calls.py):
each cell's text, escaped, in the organization's time and the reader's language, and
"Correct" only for the author within the edit window."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from peerportal.warmline import selectors, services
from peerportal.warmline.models import CallRecord

from .factories import CallTopicFactory, ReferralFactory, WarmLineFactory

pytestmark = pytest.mark.django_db

# Saturday 21 November 2026, 12:00 UTC = 07:00 in New York (EST).
NOW = dt.datetime(2026, 11, 21, 12, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def pinned(new_york):
    with time_machine.travel(NOW, tick=False):
        yield


def log(author, line, minutes_ago, **extra):
    return services.call_record_create(
        author=author,
        line=line,
        contact_type=extra.pop("contact_type", "call"),
        started_at=NOW - dt.timedelta(minutes=minutes_ago),
        duration_minutes=extra.pop("duration_minutes", 9),
        **extra,
    )


def row_of(html: str, record) -> str:
    end = html.index(reverse("warmline:call-edit", args=[record.pk]))
    return html[html.rindex("<tr>", 0, end) : html.index("</tr>", end)]


def test_rows_show_each_cell_escaped_in_local_time(staff, staff_client):
    line = WarmLineFactory(name="<b>Harbor</b> & Bay", members=[staff])
    record = log(
        staff,
        line,
        30,
        contact_type="text",
        duration_minutes=23,
        follow_up_offered=True,
        topics=[CallTopicFactory(name="Sleep"), CallTopicFactory(name="<i>Family</i>")],
        referrals=[ReferralFactory(name="Drop-in & café")],
    )
    html = staff_client.get(reverse("warmline:call-list")).content.decode()
    row = row_of(html, record)
    assert row == (
        "<tr><td>2026-11-21 06:30</td><td>&lt;b&gt;Harbor&lt;/b&gt; &amp; Bay</td>"
        "<td>Text</td><td>23</td><td>&lt;i&gt;Family&lt;/i&gt;, Sleep</td>"
        "<td>Drop-in &amp; café</td><td>yes</td>\n"
        f'    <td><a href="{reverse("warmline:call-edit", args=[record.pk])}">Correct</a></td>'
    )


def test_correct_is_offered_to_the_author_within_the_window_only(
    staff, other_staff, staff_client, supervisor_client
):
    line = WarmLineFactory(members=[staff, other_staff])
    fresh = log(staff, line, 5)
    old = log(staff, line, 90)
    CallRecord.objects.filter(pk=old.pk).update(created_at=NOW - dt.timedelta(minutes=31))
    html = staff_client.get(reverse("warmline:call-list")).content.decode()
    assert reverse("warmline:call-edit", args=[fresh.pk]) in html
    assert reverse("warmline:call-edit", args=[old.pk]) not in html
    assert html.count("<tr><td>") == 2
    supervisor_html = supervisor_client.get(reverse("warmline:call-list")).content.decode()
    assert supervisor_html.count("<tr><td>") == 2 and "/edit/" not in supervisor_html


def test_a_spanish_reader_gets_spanish_types_and_yes_no(staff, staff_client):
    staff.preferred_language = "es"
    staff.save()
    line = WarmLineFactory(members=[staff])
    record = log(staff, line, 5, contact_type="call", follow_up_offered=False)
    html = staff_client.get(reverse("warmline:call-list")).content.decode()
    row = row_of(html, record)
    assert "<td>Llamada</td>" in row and "<td>no</td>" in row and ">Corregir<" in row


def test_an_empty_log_says_so(staff_client):
    html = staff_client.get(reverse("warmline:call-list")).content.decode()
    assert '<tbody><tr><td colspan="8">No contacts logged yet.</td></tr></tbody>' in html


def test_labels_are_the_orms_names_by_name(staff):
    line = WarmLineFactory(members=[staff])
    topics = [CallTopicFactory(name=n) for n in ("Work", "Ánimo", "family", "Family", "Sleep")]
    referrals = [ReferralFactory(name=n) for n in ("Warm line", "988", "Drop-in")]
    records = [
        log(staff, line, 5, topics=topics[:3], referrals=referrals[1:]),
        log(staff, line, 6, topics=topics[2:], referrals=[]),
        log(staff, line, 7),
        log(staff, line, 8, topics=topics[4:], referrals=referrals),
    ]
    log(staff, line, 9, topics=topics, referrals=referrals)  # not asked for
    rows = [{"id": record.pk} for record in records]
    with CaptureQueriesContext(connection) as queries:
        selectors.call_record_labels(rows)
    assert len(queries) == 1
    assert rows == [
        {
            "id": record.pk,
            "topics": ", ".join(record.topics.order_by("name").values_list("name", flat=True)),
            "referrals": ", ".join(
                record.referrals.order_by("name").values_list("name", flat=True)
            ),
        }
        for record in records
    ]
    assert rows[2]["topics"] == rows[2]["referrals"] == ""
    with CaptureQueriesContext(connection) as queries:
        selectors.call_record_labels([])
    assert len(queries) == 0


def test_call_record_rows_page_as_the_orm_did(staff, other_staff, supervisor):
    from django.core.paginator import Paginator

    line = WarmLineFactory(name="Bay & Cove", members=[staff, other_staff])
    for minutes in (5, 5, 5, 40, 90, 300, 301):  # equal start times: newest id first
        log(staff, line, minutes, follow_up_offered=minutes > 50)
    log(other_staff, line, 7)
    orm_fields = (*selectors.CallRecordRows.FIELDS, "line__name")
    for user, total in ((staff, 7), (supervisor, 8), (other_staff, 1)):
        rows = selectors.call_record_rows_for(user)
        orm = CallRecord.objects.order_by("-started_at", "-id")
        if user != supervisor:
            orm = orm.filter(author=user)
        orm = list(orm.values(*orm_fields))
        assert rows.count() == len(rows) == total
        assert rows[0:100] == orm and rows[2:5] == orm[2:5] and rows[6:9] == orm[6:9]
        assert all(type(row["follow_up_offered"]) is bool for row in orm)
        assert [type(row["follow_up_offered"]) for row in rows[0:100]] == [bool] * total
        assert rows[0:1][0]["started_at"].utcoffset() == dt.timedelta(0)
        paginator = Paginator(rows, 3)
        assert paginator.num_pages == (total + 2) // 3
        assert list(paginator.get_page(99).object_list) == orm[(paginator.num_pages - 1) * 3 :]
    with pytest.raises(TypeError):
        selectors.call_record_rows_for(staff)[0]
