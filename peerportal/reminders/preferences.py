"""Which offsets a person wants for a kind. Preferences per user are added by the
reminders issue (#3); until a person saves their own, the kind's defaults apply."""

from __future__ import annotations

import datetime as dt

from .registry import get_kind


def offsets_for(*, recipient, kind_code: str) -> tuple[dt.timedelta, ...]:
    return get_kind(kind_code).default_offsets
