"""Demo warm line: invented names and numbers only. Idempotent."""

from __future__ import annotations

import contextlib
import datetime as dt

from django.utils import timezone

from peerportal.core.models import Organization

from . import services
from .exceptions import WarmLineError
from .models import CallRecord, CallTopic, ContactType, Referral, ShiftPattern, WarmLine

LINE_NAME = "Harbor Light Warm Line"
TOPICS = ("Loneliness", "Family", "Housing", "Work", "Wellness", "Sleep")
REFERRALS = ("988 Lifeline", "Drop-in center", "Support group", "Benefits office")


def seed(*, people, scale="small", stdout=None) -> None:
    if not people.get("staff"):
        return
    line, created = WarmLine.objects.get_or_create(
        name=LINE_NAME,
        defaults={
            "phone": "555-0199",
            "hours_of_operation": "Every day 16:00–22:00; weekends also 22:00–02:00",
            "has_text": True,
            "has_chat": True,
        },
    )
    line.members.add(people["staff"], people["staff2"], people["supervisor"])
    topics = [CallTopic.objects.get_or_create(name=name)[0] for name in TOPICS]
    referrals = [Referral.objects.get_or_create(name=name)[0] for name in REFERRALS]
    if created:
        first = timezone.localdate() - dt.timedelta(days=1)
        ShiftPattern.objects.create(
            line=line,
            rrule="FREQ=DAILY",
            first_date=first,
            start_time=dt.time(16),
            end_time=dt.time(19),
            min_staff=1,
            max_staff=2,
            required_qualification="warmline-training",
        )
        ShiftPattern.objects.create(
            line=line,
            rrule="FREQ=DAILY",
            first_date=first,
            start_time=dt.time(19),
            end_time=dt.time(22),
            min_staff=2,
            max_staff=3,
        )
        ShiftPattern.objects.create(  # overnight on weekends
            line=line,
            rrule="FREQ=WEEKLY;BYDAY=FR,SA",
            first_date=first,
            start_time=dt.time(22),
            end_time=dt.time(2),
            min_staff=1,
            max_staff=2,
            required_qualification="warmline-training",
        )
    for pattern in line.patterns.all():
        services.shifts_generate(pattern=pattern)
    upcoming = line.shifts.filter(starts_at__gt=timezone.now() + dt.timedelta(days=1)).order_by(
        "starts_at"
    )
    if not upcoming.filter(assignments__isnull=False).exists():
        # A few sign-ups (refusals, e.g. a missing credential, are simply skipped).
        for shift, person in zip(
            upcoming[:6],
            [people["staff"], people["staff2"], people["staff"], people["staff2"]] * 2,
            strict=False,
        ):
            with contextlib.suppress(WarmLineError):
                services.shift_sign_up(shift=shift, person=person)
    if not CallRecord.objects.filter(line=line).exists():
        _seed_calls(line, [people["staff"], people["staff2"]], topics, referrals)
    if stdout is not None:
        stdout.write("warmline: a line with patterns, shifts, sign-ups and anonymous contacts")


def _seed_calls(line, authors, topics, referrals) -> None:
    """Invented contacts over the past two weeks, spread over the evening hours."""
    tz = Organization.get().tzinfo
    today = timezone.localdate(timezone.now(), tz)
    types = [ContactType.CALL, ContactType.CALL, ContactType.TEXT, ContactType.CHAT]
    n = 0
    for day in range(1, 15):
        date = today - dt.timedelta(days=day)
        for k in range(3 + day % 3):
            n += 1
            started = dt.datetime.combine(date, dt.time(16 + (k * 2 + day) % 6, (n * 7) % 60), tz)
            record = CallRecord.objects.create(
                line=line,
                author=authors[n % len(authors)],
                contact_type=types[n % len(types)],
                started_at=started,
                duration_minutes=5 + (n * 11) % 40,
                follow_up_offered=n % 4 == 0,
            )
            record.topics.set([topics[n % len(topics)], topics[(n * 3) % len(topics)]])
            if n % 3 == 0:
                record.referrals.set([referrals[n % len(referrals)]])
