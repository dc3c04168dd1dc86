"""Shared builders for the training-credit tests (an invented training on a pinned day)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from peerportal.certification import services
from peerportal.certification.demo import seed_credential_types
from peerportal.certification.models import CETopic

# A Monday in winter, noon local: far from DST changes and month ends.
DAY = dt.date(2026, 2, 9)
NOON = timezone.make_aware(dt.datetime(2026, 2, 9, 12, 0))
PROVIDER = "Recovery Learning Institute (invented)"


def topic(code: str) -> CETopic:
    seed_credential_types()
    return CETopic.objects.get(code=code)


def make_training(coordinator, facilitator, *, held_on=DAY, hours=None, title="Ethics day"):
    seed_credential_types()
    hours = hours or {topic("ethics"): Decimal(3), topic("peer-practice"): Decimal("4.5")}
    return services.training_event_save(
        actor=coordinator,
        title=title,
        description="",
        provider=PROVIDER,
        held_on=held_on,
        facilitator=facilitator,
        topic_hours=hours,
    )
