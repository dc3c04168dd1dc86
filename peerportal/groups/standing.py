"""Standing places: a member holds a seat in every future session of a recurring group.

Also the group's settings for places (waitlist offers and standing places), kept apart from
the group form so the schedule builder and these settings change independently.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from peerportal.core.audit import audit_record

from . import exceptions
from .models import SupportGroup

PLACES_FIELDS = (
    "offer_window_hours",
    "offer_lifetime_minutes",
    "standing_places_allowed",
    "standing_share_percent",
    "standing_missed_limit",
    "standing_answer_days",
)


def group_places_update(*, actor, group: SupportGroup, request=None) -> SupportGroup:
    """Save the group's offer and standing-place settings (bounds checked here too)."""
    others = [f.name for f in SupportGroup._meta.fields if f.name not in PLACES_FIELDS]
    try:
        group.clean_fields(exclude=others)
    except ValidationError as exc:
        raise exceptions.GroupsError(" ".join(exc.messages)) from exc
    with transaction.atomic():
        group.save(update_fields=list(PLACES_FIELDS))
        audit_record(actor=actor, action="group.places_update", obj=group, request=request)
    return group
