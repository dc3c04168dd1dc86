"""Core state changes: audit retention."""

from __future__ import annotations

from django.conf import settings

from .models import AuditEvent


def audit_purge_expired(*, retention_days: int | None = None) -> int:
    """Delete audit events older than the retention period (the only way they leave)."""
    return AuditEvent.objects.purge_older_than(retention_days or settings.AUDIT_RETENTION_DAYS)
