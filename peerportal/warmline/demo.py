from __future__ import annotations

import contextlib
import datetime as dt

from django.utils import timezone

from . import services
from .exceptions import WarmLineError
from .models import CallTopic, Referral, ShiftPattern, WarmLine


def seed(*, people, scale="small", stdout=None) -> None:
    line, created = WarmLine.objects.get_or_create(
        name="Harbor Light Warm Line",
        defaults={
            "phone": "555-0199",
            "hours_of_operation": "Every day 16:00–22:00",
            "has_text": True,
        },
    )
    line.members.add(people["staff"], people["staff2"], people["supervisor"])
    for name in ("Loneliness", "Family", "Housing", "Work", "Wellness"):
        CallTopic.objects.get_or_create(name=name)
    for name in ("988 Lifeline", "Drop-in center", "Support group", "Benefits office"):
        Referral.objects.get_or_create(name=name)
    if created:
        pattern = ShiftPattern.objects.create(
            line=line,
            rrule="FREQ=DAILY",
            first_date=timezone.localdate() - dt.timedelta(days=1),
            start_time=dt.time(16),
            end_time=dt.time(19),
            min_staff=1,
            max_staff=2,
            required_qualification="warmline-training",
        )
        ShiftPattern.objects.create(
            line=line,
            rrule="FREQ=DAILY",
            first_date=pattern.first_date,
            start_time=dt.time(19),
            end_time=dt.time(22),
            min_staff=1,
            max_staff=2,
        )
    for pattern in line.patterns.all():
        services.shifts_generate(pattern=pattern)
    first = (
        line.shifts.filter(starts_at__gt=timezone.now() + dt.timedelta(days=2))
        .order_by("starts_at")
        .first()
    )
    if first is not None and not first.assignments.exists():
        with contextlib.suppress(WarmLineError):
            services.shift_sign_up(shift=first, person=people["staff"])
    if stdout is not None:
        stdout.write("warmline: a line, patterns, shifts and topics ready")
