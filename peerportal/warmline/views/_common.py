"""What several of the warm line's view modules share: the organization's time zone."""

from __future__ import annotations

from peerportal.core.models import Organization


def _tz():
    return Organization.get().tzinfo
