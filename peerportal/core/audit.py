"""Recording audit events. Call from services, inside their transaction."""

from __future__ import annotations

import functools
from typing import Any

from django.db import models


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    request=None,
    extra: dict[str, Any] | None = None,
):
    """Append an audit event. ``extra`` must hold ids and codes only, never personal data."""
    from .models import AuditEvent

    event = AuditEvent(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        ip=client_ip(request),
        extra=extra or {},
    )
    _insert().insert([event])
    return event


@functools.cache
def _insert():
    """The audit INSERT, written once per process (core/prepared.py): every write of the
    portal appends one. AuditEvent's save() only refuses changes to saved events, and
    nothing listens to its saves."""
    from .models import AuditEvent
    from .prepared import PreparedInsert

    return PreparedInsert(AuditEvent)
