"""`seed_demo --scale large` (issue #10), shrunk: the same code with small numbers.

Checks that the warm-line, drop-in and certification history is built the way the real
data would be (staffed shifts within their limits, contacts on those shifts, visit counts
and past events on the right days, credentials and reviewed records) and that a second run
adds nothing.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Count
from django.utils import timezone

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_large(monkeypatch):
    from peerportal.certification import demo as certification
    from peerportal.core import demo as core
    from peerportal.dropin import demo as dropin
    from peerportal.groups import demo as groups
    from peerportal.warmline import demo as warmline

    monkeypatch.setattr(core, "LARGE_MEMBERS", 40)
    monkeypatch.setattr(core, "LARGE_STAFF", 6)
    monkeypatch.setattr(groups, "LARGE_GROUPS", 2)
    monkeypatch.setattr(groups, "LARGE_BOOKINGS", 100)
    monkeypatch.setattr(warmline, "LARGE_HISTORY_DAYS", 21)
    monkeypatch.setattr(dropin, "LARGE_HISTORY_DAYS", 70)
    monkeypatch.setattr(certification, "LARGE_RECORDS_PER_PERSON", 5)
    return core.seed_all(scale="large")


def _counts():
    from peerportal.certification.models import Certification, Review, TrainingRecord
    from peerportal.dropin.models import Event, VisitTally
    from peerportal.warmline.models import CallRecord, Shift, ShiftAssignment

    return [
        m.objects.count()
        for m in (
            Shift,
            ShiftAssignment,
            CallRecord,
            VisitTally,
            Event,
            Certification,
            TrainingRecord,
            Review,
        )
    ]


def test_large_seed_builds_two_years_of_history_and_is_idempotent(small_large):
    from peerportal.accounts.models import User
    from peerportal.certification.models import Review, TrainingRecord
    from peerportal.certification.qualification import is_qualified
    from peerportal.core.models import Organization
    from peerportal.dropin.models import Event, VisitTally
    from peerportal.warmline.models import CallRecord, Shift, ShiftAssignment, WarmLine

    now = timezone.now()
    tz = Organization.get().tzinfo
    today = timezone.localdate(now, tz)
    staff = User.objects.filter(role="peer_specialist", email__endswith="@large.peerportal.test")
    assert staff.count() == 6

    # Warm line: three weeks of past shifts from the patterns, each staffed within limits.
    line = WarmLine.objects.get()
    assert set(staff.values_list("pk", flat=True)) <= set(line.members.values_list("pk", flat=True))
    past = Shift.objects.filter(line=line, starts_at__lt=now).with_coverage()
    oldest = past.order_by("starts_at").first().starts_at
    assert dt.timedelta(days=20) < now - oldest <= dt.timedelta(days=22)
    assert past.count() >= 21 * 2  # two daily patterns, plus the weekend overnight one
    assert all(s.min_staff <= s.staffed <= s.max_staff for s in past)
    assert {timezone.localtime(s.starts_at, tz).time() for s in past} <= {
        dt.time(16),
        dt.time(19),
        dt.time(22),
    }
    coming = Shift.objects.filter(line=line, starts_at__gte=now).with_coverage()
    assert all(s.staffed <= s.max_staff for s in coming)
    assert sum(s.staffed > 0 for s in coming) > 6  # more than the demo's own sign-ups
    calls = CallRecord.objects.filter(line=line, shift__isnull=False)
    assert calls.count() >= past.count() * 2
    on_shift = set(
        ShiftAssignment.objects.filter(shift__line=line).values_list("shift_id", "person_id")
    )
    assert all(pair in on_shift for pair in calls.values_list("shift_id", "author_id"))
    assert calls.annotate(n=Count("topics")).filter(n=0).count() == 0

    # Drop-in: a visit count for every open day back to the oldest, past series events.
    center_tallies = VisitTally.objects.filter(category=None)
    assert center_tallies.filter(date=today - dt.timedelta(days=70)).exists() or (
        (today - dt.timedelta(days=70)).weekday() == 6
    )
    assert not center_tallies.filter(date__week_day=1).exists()  # closed on Sundays
    history = Event.objects.filter(series__isnull=False, starts_at__lt=now)
    assert history.filter(attended_count__isnull=False).count() >= 3 * 9
    for event in history:
        assert timezone.localtime(event.starts_at, tz).date().weekday() == (
            timezone.localtime(event.series.events.order_by("-starts_at").first().starts_at, tz)
            .date()
            .weekday()
        )

    # Certification: every large-scale staff member is credentialed, with reviewed records.
    someone = staff.first()
    assert is_qualified(person=someone, code="warmline-training", at=now)
    records = TrainingRecord.objects.filter(person__in=staff)
    assert records.count() == 6 * 5
    decided = records.exclude(status="submitted")
    assert Review.objects.filter(record__in=decided).count() == decided.count()

    before = _counts()
    from peerportal.core.demo import seed_all

    seed_all(scale="large")
    assert _counts() == before
