"""Small-cell suppression: counts below the threshold are shown as "<N"."""

from __future__ import annotations

from django.conf import settings


def suppress(count: int | None, threshold: int | None = None) -> str:
    """``count`` as text, or "<threshold" when 0 < count < threshold (so few people can't be singled out)."""
    threshold = settings.REPORT_SUPPRESSION_THRESHOLD if threshold is None else threshold
    if count is None:
        return "—"
    if 0 < count < threshold:
        return f"<{threshold}"
    return str(count)


def is_suppressed(count: int | None, threshold: int | None = None) -> bool:
    threshold = settings.REPORT_SUPPRESSION_THRESHOLD if threshold is None else threshold
    return count is not None and 0 < count < threshold
