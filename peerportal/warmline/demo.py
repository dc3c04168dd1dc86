"""Demo warm line: invented names and numbers only. Idempotent."""

from __future__ import annotations

import contextlib
import datetime as dt
import random

from django.utils import timezone

from peerportal.core.models import Organization
from peerportal.core.recurrence import expand

from . import services
from .exceptions import WarmLineError
from .models import (
    CallRecord,
    CallTopic,
    ContactType,
    Referral,
    Shift,
    ShiftAssignment,
    ShiftPattern,
    WarmLine,
)

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
    if scale == "large":
        seed_large(line=line, topics=topics, referrals=referrals, stdout=stdout)


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


LARGE_HISTORY_DAYS = 2 * 365
LARGE_CALLS_PER_SHIFT = (2, 9)  # an evening's contacts, invented


def seed_large(*, line, topics, referrals, stdout=None) -> None:
    """Benchmarks: the 80 large-scale staff on the line, two years of staffed shifts from its
    patterns and the anonymous contacts logged on them, and the coming weeks partly staffed
    (bulk inserts; idempotent)."""
    from peerportal.accounts.models import User
    from peerportal.core.demo import LARGE_DOMAIN

    tz = Organization.get().tzinfo
    now = timezone.now()
    start = now - dt.timedelta(days=LARGE_HISTORY_DAYS)
    if line.shifts.filter(starts_at__lt=start + dt.timedelta(days=7)).exists():
        return
    staff = list(
        User.objects.filter(role="peer_specialist", email__endswith=f"@{LARGE_DOMAIN}")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not staff:
        return
    line.members.add(*staff)
    rng = random.Random(20261123)  # noqa: S311 — invented data, reproducible
    shifts = []
    for pattern in line.patterns.all():
        for occurrence in expand(
            pattern.rrule,
            first_date=start.astimezone(tz).date(),
            start_time=pattern.start_time,
            end_time=pattern.end_time,
            tz=tz,
            window_start=start,
            window_end=now,
        ):
            shifts.append(services.shift_for(pattern, occurrence))
    Shift.objects.bulk_create(shifts, batch_size=2000, ignore_conflicts=True)
    past = list(
        line.shifts.filter(starts_at__gte=start, starts_at__lt=now).values_list(
            "pk", "starts_at", "ends_at", "min_staff", "max_staff"
        )
    )
    assignments, calls = [], []
    types = [
        ContactType.CALL,
        ContactType.CALL,
        ContactType.CALL,
        ContactType.TEXT,
        ContactType.CHAT,
    ]

    def staff_shift(pk: int, low: int, high: int) -> list[int]:
        """Between ``low`` and ``high`` random staff on the shift, in numbered slots."""
        people = rng.sample(staff, rng.randint(low, high))
        assignments.extend(
            ShiftAssignment(shift_id=pk, person_id=person, slot=slot)
            for slot, person in enumerate(people, start=1)
        )
        return people

    for pk, starts, ends, low, high in past:
        people = staff_shift(pk, low, high)
        minutes = int((ends - starts).total_seconds() // 60)
        for _ in range(rng.randint(*LARGE_CALLS_PER_SHIFT)):
            calls.append(
                CallRecord(
                    line=line,
                    shift_id=pk,
                    author_id=rng.choice(people),
                    contact_type=rng.choice(types),
                    started_at=starts + dt.timedelta(minutes=rng.randrange(max(1, minutes - 5))),
                    duration_minutes=rng.randint(3, 45),
                    follow_up_offered=rng.random() < 0.2,
                )
            )
    # The coming weeks are partly staffed, as a real board is: some shifts full, some short,
    # some open (the demo's own sign-ups are left alone).
    coming = line.shifts.filter(starts_at__gte=now, assignments__isnull=True).values_list(
        "pk", "max_staff"
    )
    for pk, high in coming:
        staff_shift(pk, 0, high)
    ShiftAssignment.objects.bulk_create(assignments, batch_size=5000, ignore_conflicts=True)
    CallRecord.objects.bulk_create(calls, batch_size=5000)
    topic_rows, referral_rows = [], []
    topic_link = CallRecord.topics.through
    referral_link = CallRecord.referrals.through
    for call in calls:  # primary keys are set by bulk_create on PostgreSQL and SQLite
        for topic in rng.sample(topics, rng.randint(1, 2)):
            topic_rows.append(topic_link(callrecord_id=call.pk, calltopic_id=topic.pk))
        if rng.random() < 0.3:
            referral_rows.append(
                referral_link(callrecord_id=call.pk, referral_id=rng.choice(referrals).pk)
            )
    topic_link.objects.bulk_create(topic_rows, batch_size=5000)
    referral_link.objects.bulk_create(referral_rows, batch_size=5000)
    if stdout is not None:
        stdout.write(
            f"warmline large: {len(staff)} staff on the line, {len(past)} past shifts, "
            f"{len(assignments)} assignments, {len(calls)} contacts"
        )
