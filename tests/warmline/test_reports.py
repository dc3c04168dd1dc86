"""Warm-line reports: local hours and days, topics, coverage, hours per person, suppression."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections import Counter, defaultdict

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from peerportal.core.models import Organization
from peerportal.core.privacy import suppress
from peerportal.reports.warmline.views import report_data
from peerportal.warmline.models import CallRecord, ContactType, Shift, ShiftAssignment

from ..factories import StaffFactory
from .factories import CallRecordFactory, CallTopicFactory, ShiftFactory, WarmLineFactory

pytestmark = pytest.mark.django_db


def _calls(line, author, n, started_at, topic=None, contact_type="call"):
    for _ in range(n):
        record = CallRecordFactory(
            line=line, author=author, started_at=started_at, contact_type=contact_type
        )
        if topic:
            record.topics.add(topic)


def test_contacts_are_counted_by_local_hour_day_and_topic(line, staff, new_york):
    lonely = CallTopicFactory(name="Loneliness")
    evening = dt.datetime(2026, 11, 20, 19, 15, tzinfo=new_york)  # 00:15 UTC next day
    _calls(line, staff, 6, evening, topic=lonely)
    _calls(line, staff, 2, evening + dt.timedelta(hours=1), contact_type="text")
    with translation.override("en"):
        data = report_data(days=30, now=dt.datetime(2026, 11, 22, 12, tzinfo=dt.UTC))
    hours = dict(data["by_hour"])
    assert hours[19] == "6" and hours[20] == "<5" and hours[0] == "0"  # local, not UTC
    assert data["by_day"] == [(dt.date(2026, 11, 20), "8")]
    assert data["by_topic"] == [("Loneliness", "6")]
    assert data["total_contacts"] == "8"
    assert ("Text", "<5") in data["by_type"]


def test_coverage_percentage_and_hours_staffed_per_person(line, staff, supervisor):
    past = timezone.now() - dt.timedelta(days=2)
    full = ShiftFactory(line=line, starts_at=past, ends_at=past + dt.timedelta(hours=3))
    ShiftFactory(
        line=line, starts_at=past + dt.timedelta(hours=3), ends_at=past + dt.timedelta(hours=5)
    )
    ShiftAssignment.objects.create(shift=full, person=staff, slot=1)
    data = report_data(days=7)
    assert data["coverage"] == 50 and data["shifts"] == 2
    assert data["hours"] == [("Staff Willow", 3.0)]


def test_report_pages_per_persona_and_csv_suppresses_small_counts(
    line,
    staff,
    supervisor_client,
    coordinator_client,
    staff_client,
    member_client,
    anonymous_client,
):
    _calls(line, staff, 2, timezone.now() - dt.timedelta(hours=2))
    url, csv_url = reverse("reports:warmline:overview"), reverse("reports:warmline:overview-csv")
    for client in (staff_client, member_client):
        assert client.get(url).status_code == 403
        assert client.get(csv_url).status_code == 403
    assert anonymous_client.get(url).status_code == 302
    for client in (supervisor_client, coordinator_client):
        html = client.get(url, {"days": 7, "line": line.pk}).content.decode()
        assert "&lt;5" in html and "Not a crisis service." in html
    rows = list(csv.reader(io.StringIO(coordinator_client.get(csv_url).content.decode())))
    assert ["contacts", "30 days", "<5"] in rows
    counts = [row[2] for row in rows if row[0].startswith("contacts")]
    assert "<5" in counts and not any(c in {"1", "2", "3", "4"} for c in counts)


def _slow_report(*, days, line_id, now):
    """The report worked out the obvious way: every row loaded, local times in Python."""
    tz, since = Organization.get().tzinfo, now - dt.timedelta(days=days)
    calls = [
        c
        for c in CallRecord.objects.prefetch_related("topics")
        if since <= c.started_at < now and line_id in (None, c.line_id)
    ]
    by_hour = Counter(c.started_at.astimezone(tz).hour for c in calls)
    by_day = Counter(c.started_at.astimezone(tz).date() for c in calls)
    by_type = Counter(c.contact_type for c in calls)
    by_topic = Counter(t.name for c in calls for t in c.topics.all())
    shifts = [
        s
        for s in Shift.objects.prefetch_related("assignments__person")
        if since <= s.starts_at < now and line_id in (None, s.line_id)
    ]
    covered, time = 0, defaultdict(dt.timedelta)
    for shift in shifts:
        active = [a for a in shift.assignments.all() if a.is_active]
        covered += len(active) >= shift.min_staff
        for a in active:
            time[a.person.display_name] += shift.ends_at - shift.starts_at
    labels = dict(ContactType.choices)
    return {
        "days": days,
        "line_id": line_id,
        "total_contacts": suppress(len(calls)),
        "by_hour": [(h, suppress(by_hour[h])) for h in range(24)],
        "by_day": [(d, suppress(n)) for d, n in sorted(by_day.items())],
        "by_type": [(str(labels[t]), suppress(n)) for t, n in sorted(by_type.items())],
        "by_topic": [
            (name, suppress(n)) for name, n in sorted(by_topic.items(), key=lambda r: (-r[1], r[0]))
        ],
        "coverage": round(100 * covered / len(shifts)) if shifts else None,
        "covered": covered,
        "shifts": len(shifts),
        "hours": sorted((name, t.total_seconds() / 3600) for name, t in time.items()),
    }


def test_report_matches_a_count_in_python_across_dst_lines_and_periods(
    line, staff, supervisor, new_york
):
    """The hand-written SQL against the obvious computation: a year of contacts and shifts on
    two lines, with calls in New York's spring-forward gap and autumn fold, at the edges of
    each period, several topics or none, and shifts of odd lengths over the DST changes."""
    rng = random.Random(18)
    other = WarmLineFactory(name="Other Test Line")
    people = [staff, supervisor, StaffFactory(display_name="Staff Birch")]
    topics = [CallTopicFactory(name=name) for name in ("Housing", "Loneliness", "Sleep", "Work")]
    now = dt.datetime(2026, 11, 22, 12, tzinfo=dt.UTC)
    instants = [now - dt.timedelta(minutes=rng.randrange(400 * 24 * 60)) for _ in range(600)]
    instants += [
        dt.datetime(2026, 3, 8, 6, 30, tzinfo=dt.UTC),  # 01:30 EST, before the gap
        dt.datetime(2026, 3, 8, 7, 30, tzinfo=dt.UTC),  # 03:30 EDT, after it
        dt.datetime(2026, 11, 1, 5, 30, tzinfo=dt.UTC),  # 01:30 EDT (first 01:30)
        dt.datetime(2026, 11, 1, 6, 30, tzinfo=dt.UTC),  # 01:30 EST (the fold)
        dt.datetime(2026, 11, 1, 4, 0, tzinfo=dt.UTC),  # local midnight
        dt.datetime(2026, 11, 1, 3, 59, tzinfo=dt.UTC),  # 23:59 the day before
    ]
    instants += [now - dt.timedelta(days=d) for d in (7, 30, 90, 365)]  # exactly at `since`
    instants += [now, now - dt.timedelta(microseconds=1)]
    calls = CallRecord.objects.bulk_create(
        CallRecord(
            line=rng.choice([line, line, other]),
            author=staff,
            contact_type=rng.choice(list(ContactType.values)),
            started_at=when,
            duration_minutes=10,
        )
        for when in instants
    )
    CallRecord.topics.through.objects.bulk_create(
        CallRecord.topics.through(callrecord_id=call.pk, calltopic_id=topic.pk)
        for call in calls
        for topic in rng.sample(topics, rng.choice([0, 0, 1, 1, 2, 3]))
    )
    for i in range(150):
        starts = now - dt.timedelta(minutes=rng.randrange(400 * 24 * 60))
        if i < 4:  # over the DST changes: 5 local hours are 4 or 6 elapsed
            starts = [
                dt.datetime(2026, 3, 8, 5, tzinfo=dt.UTC),
                dt.datetime(2026, 11, 1, 4, tzinfo=dt.UTC),
                now - dt.timedelta(days=30),
                now - dt.timedelta(days=7, minutes=-1),
            ][i]
        shift = ShiftFactory(
            line=rng.choice([line, other]),
            starts_at=starts,
            ends_at=starts + dt.timedelta(minutes=rng.choice([45, 90, 135, 180, 300])),
            min_staff=rng.choice([1, 1, 2]),
            max_staff=3,
        )
        for slot, person in enumerate(rng.sample(people, rng.choice([0, 1, 1, 2, 3])), 1):
            ShiftAssignment.objects.create(
                shift=shift, person=person, slot=slot, is_active=rng.random() > 0.2
            )
    with translation.override("es"):
        for days in (7, 30, 90, 365):
            for line_id in (None, line.pk, other.pk):
                fast = report_data(days=days, line_id=line_id, now=now)
                assert fast == _slow_report(days=days, line_id=line_id, now=now)
    assert fast["by_topic"] and fast["hours"] and fast["covered"] < fast["shifts"]


def test_report_page_escapes_names_and_formats_hours_per_language(
    line, staff, supervisor, supervisor_client
):
    """The tables' rows are built in the view: names escaped, hours as |floatformat:1 shows
    them (half up, the language's decimal mark), days as |date:"D j M", empty tables."""
    topic = CallTopicFactory(name='<b>Grief & "loss"</b>')
    when = timezone.now() - dt.timedelta(days=1)
    _calls(line, staff, 5, when, topic=topic)
    staff.display_name = "Staff <i>O'Hara</i>"
    staff.save()
    starts = timezone.now() - dt.timedelta(days=2)
    shift = ShiftFactory(
        line=line, starts_at=starts, ends_at=starts + dt.timedelta(hours=2, minutes=15)
    )
    ShiftAssignment.objects.create(shift=shift, person=staff, slot=1)
    url = reverse("reports:warmline:overview")
    html = supervisor_client.get(url).content.decode()
    grief = "&lt;b&gt;Grief &amp; &quot;loss&quot;&lt;/b&gt;"
    assert f'<tr><th scope="row">{grief}</th><td>5</td></tr>' in html
    hara = "Staff &lt;i&gt;O&#x27;Hara&lt;/i&gt;"
    assert f'<tr><th scope="row">{hara}</th><td>2.3</td></tr>' in html
    assert '<tr><th scope="row">00:00</th><td>' in html and "<b>Grief" not in html
    local_day = timezone.localtime(when, Organization.get().tzinfo).date()
    with translation.override("en"):
        day = date_format(local_day, "D j M")
    assert f'<tr><th scope="row">{day}</th><td>5</td></tr>' in html
    supervisor.preferred_language = "es"
    supervisor.save()
    html = supervisor_client.get(url).content.decode()
    assert f'<tr><th scope="row">{hara}</th><td>2,3</td></tr>' in html
    CallRecord.objects.all().delete()
    Shift.objects.all().delete()
    html = supervisor_client.get(url).content.decode()
    assert '<tbody><tr><td colspan="2">—</td></tr></tbody>' in html
