"""`|date` and `|time` that remember what they formatted, for dates shown in loops.

``{% load memo_dates %}{{ event.starts_at|date_memo:"D j M Y, H:i" }}`` gives exactly what
``|date`` gives (same localization, same time zone conversion: the value reaches the filter
already in the current time zone), but formatting a date in Django costs 15-50 µs (the
format string is parsed and weekday and month names go through gettext every time), which
adds up to milliseconds on a calendar grid or a list of twenty rows.

The result is a pure function of the value, its time zone, the format and the active
language, so it is kept per process under that key (nothing about who is asking). The
table is cleared when it reaches ``MAX_ENTRIES``.
"""

from __future__ import annotations

from django import template
from django.template.defaultfilters import date as _date
from django.template.defaultfilters import time as _time
from django.utils.translation import get_language

register = template.Library()

MAX_ENTRIES = 20_000
_formatted: dict[tuple, str] = {}


def _memo(fmt, value, arg) -> str:
    if value in (None, ""):
        return ""
    # Equal aware datetimes in different zones (or either side of a DST fold) compare
    # equal: the zone and the fold are part of the key.
    key = (
        fmt,
        value,
        getattr(value, "tzinfo", None),
        getattr(value, "fold", 0),
        arg,
        get_language(),
    )
    try:
        return _formatted[key]
    except KeyError:
        pass
    except TypeError:  # an unhashable value: format it every time
        return fmt(value, arg)
    out = fmt(value, arg)
    if len(_formatted) >= MAX_ENTRIES:
        _formatted.clear()
    _formatted[key] = out
    return out


@register.filter(expects_localtime=True, is_safe=False)
def date_memo(value, arg=None):
    """``|date``, remembered (see the module docstring)."""
    return _memo(_date, value, arg)


@register.filter(expects_localtime=True, is_safe=False)
def time_memo(value, arg=None):
    """``|time``, remembered (see the module docstring)."""
    return _memo(_time, value, arg)
