"""Warm-line reports: local hours and days, topics, coverage, hours per person, suppression."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from peerportal.reports.warmline.views import report_data
from peerportal.warmline.models import ShiftAssignment

from .factories import CallRecordFactory, CallTopicFactory, ShiftFactory

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
