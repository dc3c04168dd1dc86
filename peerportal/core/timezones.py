"""Which time zone to show a person: their own if set and valid, else the organization's."""

from __future__ import annotations

import zoneinfo

from .models import Organization


def tz_for(user) -> zoneinfo.ZoneInfo:
    name = getattr(user, "time_zone", "") if user is not None and user.is_authenticated else ""
    if name:
        try:
            return zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    return Organization.get().tzinfo
