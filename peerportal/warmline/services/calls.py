"""The call log: the edit window, a contact's bounds, records created and corrected."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from peerportal.core import bounds
from peerportal.core.audit import audit_record

from .. import exceptions
from ..models import CallRecord, Shift


def call_edit_window() -> dt.timedelta:
    """How long an author may correct a call record (setting CALL_RECORD_EDIT_MINUTES, 30)."""
    return dt.timedelta(minutes=getattr(settings, "CALL_RECORD_EDIT_MINUTES", 30))


def call_record_check_bounds(
    *,
    started_at: dt.datetime | None,
    duration_minutes: int | None,
    previous_start: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> None:
    """A contact lasts 1–240 minutes and has already happened, at most a week ago (an
    unchanged start of a record being corrected is not checked again)."""
    checks = bounds.Checks()
    if started_at is not None and started_at != previous_start:
        checks.run("started_at", bounds.check_call_started, started_at, now=now)
    checks.run("duration_minutes", bounds.validate_call_minutes, duration_minutes)
    checks.raise_any()


def call_record_create(
    *, author, line, topics=(), referrals=(), request=None, **fields
) -> CallRecord:
    with bounds.enforced(exceptions.WarmLineError):
        call_record_check_bounds(
            started_at=fields.get("started_at"), duration_minutes=fields.get("duration_minutes")
        )
    with transaction.atomic():
        shift = Shift.objects.filter(
            line=line,
            assignments__person=author,
            assignments__is_active=True,
            starts_at__lte=fields["started_at"],
            ends_at__gte=fields["started_at"],
        ).first()
        record = CallRecord.objects.create(author=author, line=line, shift=shift, **fields)
        record.topics.set(topics)
        record.referrals.set(referrals)
        audit_record(actor=author, action="call_record.create", obj=record, request=request)
    return record


def call_record_update(
    *, author, record: CallRecord, topics=None, referrals=None, now=None, request=None, **fields
) -> CallRecord:
    now = now or timezone.now()
    with transaction.atomic():
        record = CallRecord.objects.select_for_update().get(pk=record.pk)
        if record.author_id != author.pk or now > record.created_at + call_edit_window():
            raise exceptions.EditWindowClosed
        previous_start = record.started_at
        for name, value in fields.items():
            setattr(record, name, value)
        with bounds.enforced(exceptions.WarmLineError):
            call_record_check_bounds(
                started_at=record.started_at,
                duration_minutes=record.duration_minutes,
                previous_start=previous_start,
                now=now,
            )
        record.save()
        if topics is not None:
            record.topics.set(topics)
        if referrals is not None:
            record.referrals.set(referrals)
        audit_record(actor=author, action="call_record.update", obj=record, request=request)
    return record
