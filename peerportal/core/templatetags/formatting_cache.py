"""``|date``, ``|time`` and ``{% url %}`` for long lists, remembered per process, with exactly
the same output.

``{% load formatting_cache %}`` then ``{{ session.starts_at|cached_date:"l j F Y, H:i" }}``,
``{{ event.starts_at|cached_time:"H:i" }}`` and ``{% cached_url 'groups:booking-create' session.pk %}``.

Django's ``date`` filter re-reads the format and runs gettext for every day and month name
each time (15-100 µs a call), and ``{% url %}`` walks the resolver (≈ 0.1 ms); a list of a
hundred sessions or a month grid spent a third of its page on them. The same times and links
come back on every request, so both are kept per process under everything the output
depends on: the value, its time zone and DST fold (equal aware datetimes in different zones,
or either side of a fold, compare equal), the format and the active language; for links the
view, its arguments, the script prefix and the URL conf. Nothing personal is kept: formatted
times and URL paths. The tables are cleared when they reach their size limit.
"""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.template.defaultfilters import date as _date
from django.template.defaultfilters import time as _time
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

register = template.Library()

MAX_ENTRIES = 20_000
_formatted: dict[tuple, str] = {}


def _memo(fmt, value, arg) -> str:
    if value in (None, ""):
        return ""
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
def cached_date(value, arg=None):
    """``|date``, remembered (see the module docstring)."""
    return _memo(_date, value, arg)


@register.filter(expects_localtime=True, is_safe=False)
def cached_time(value, arg=None):
    """``|time``, remembered (see the module docstring)."""
    return _memo(_time, value, arg)


@lru_cache(maxsize=16384)
def _url(prefix, urlconf, language, viewname, args) -> str:
    return reverse(viewname, args=args)


@register.simple_tag
def cached_url(viewname, *args):
    """``{% url viewname arg … %}`` with positional arguments, remembered."""
    return _url(get_script_prefix(), get_urlconf(), get_language(), viewname, args)
