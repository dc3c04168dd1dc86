"""Core state changes: locations, organization settings, audit retention."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from . import bounds
from .audit import audit_record
from .models import AuditEvent, Location, OpeningHours, Organization


class CoreError(Exception):
    """A change to organization data that the rules do not allow."""


def location_save(*, actor, location: Location, opening_hours, request=None) -> Location:
    """Create or update a location and replace its opening hours.

    ``opening_hours`` is a list of (weekday, opens, closes); ``core.bounds`` checks them.
    """
    rows = [(int(w), opens, closes) for w, opens, closes in opening_hours]
    with bounds.enforced(CoreError):
        bounds.check_opening_hours(rows)
        location.full_clean()
    with transaction.atomic():
        location.save()
        location.opening_hours.all().delete()
        OpeningHours.objects.bulk_create(
            OpeningHours(location=location, weekday=w, opens=o, closes=c) for w, o, c in rows
        )
        audit_record(actor=actor, action="location.save", obj=location, request=request)
    return location


def organization_save(*, actor, organization: Organization, request=None) -> Organization:
    """Save the organization settings (time zone checked by the model's validator)."""
    try:
        organization.full_clean()
    except ValidationError as exc:
        raise CoreError(" ".join(exc.messages)) from exc
    with transaction.atomic():
        organization.save()
        audit_record(actor=actor, action="organization.save", obj=organization, request=request)
    return organization


def audit_purge_expired(*, retention_days: int | None = None) -> int:
    """Delete audit events older than the retention period (the only way they leave)."""
    return AuditEvent.objects.purge_older_than(retention_days or settings.AUDIT_RETENTION_DAYS)
