"""Demo data: the demo member has quiet hours, so the preferences page shows them in use."""

from __future__ import annotations

import datetime as dt

from .models import NotificationPreference


def seed(*, people, scale, stdout) -> None:
    member = people.get("member")
    if member is None:
        return
    _pref, created = NotificationPreference.objects.get_or_create(
        user=member,
        defaults={"quiet_hours_start": dt.time(22), "quiet_hours_end": dt.time(7)},
    )
    if created and stdout is not None:
        stdout.write("reminders: quiet hours 22:00–07:00 for the demo member\n")
