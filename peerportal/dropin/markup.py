"""The repeated rows of the events list and the month grid, as HTML built here in one pass.

A template loop rendering a dozen variables, tags and filters for each of twenty events (the
list) or forty-two cells (the month) was most of those pages' cost. These functions give
byte for byte the markup the templates' loops gave (tests render both and compare): text
escaped as ``{{ }}`` escapes it, translations unescaped as ``{% translate %}`` leaves them,
dates and times through the same remembered ``|cached_date``/``|cached_time`` in the
current time zone, numbers localized as ``{% blocktranslate %}`` does.
"""

from __future__ import annotations

import html

from django.utils import timezone
from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from peerportal.core.templatetags.formatting_cache import cached_date, cached_time


def _escape(value) -> str:
    """``conditional_escape`` without Django's lazy-string wrapper (as ``{{ value }}``)."""
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


def _badges(event) -> str:
    """``dropin/_event_badges.html`` of a row."""
    out = ""
    if event.is_cancelled:
        out = f'<span class="badge text-bg-danger">{_("Cancelled")}</span>'
    if not event.is_published:
        out += f' <span class="badge text-bg-warning">{_("Not published")}</span>'
    if event.category:
        out += f' <span class="badge text-bg-light border">{_escape(event.category.name)}</span>'
    return out


def _seats(event) -> str:
    if not (event.rsvp_enabled and event.capacity and not event.is_cancelled):
        return ""
    n = event.seats_left
    if not n:
        return "· " + _("Full")
    return "· " + ngettext("%(n)s seat left", "%(n)s seats left", n) % {"n": _escape(localize(n))}


def event_list_items(events) -> SafeString:
    """The events list's ``<li>`` items (``EventRow``s read with ``counted=True``)."""
    items = []
    for event in events:
        starts = timezone.localtime(event.starts_at)
        items.append(
            '\n    <li class="list-group-item">\n'
            f'      <a href="{_escape(event.url)}">{_escape(event.title)}</a>\n'
            f"      {_badges(event)}\n\n"
            '      <div class="small text-body-secondary">\n'
            f'        <time datetime="{_escape(cached_date(starts, "c"))}">'
            f"{_escape(cached_date(starts, 'D j M Y, H:i'))}</time>–"
            f"{_escape(cached_time(timezone.localtime(event.ends_at), 'H:i'))}"
            f" · {_escape(event.location.name)}\n"
            f"        {_seats(event)}\n"
            "      </div>\n"
            "    </li>\n  "
        )
    return mark_safe("".join(items))


def month_rows(grid) -> SafeString:
    """The month table's ``<tr>`` rows from ``views._month_grid``'s cells."""
    cancelled = None
    weeks = []
    for week in grid:
        cells = []
        for cell in week:
            events = []
            for event in cell["events"]:
                badge = ""
                if event.is_cancelled:
                    if cancelled is None:
                        cancelled = f' <span class="badge text-bg-danger">{_("Cancelled")}</span>'
                    badge = cancelled
                starts = _escape(cached_time(timezone.localtime(event.starts_at), "H:i"))
                events.append(
                    f'\n          <div class="small"><a href="{_escape(event.url)}">'
                    f"{starts} {_escape(event.title)}</a>{badge}</div>\n        "
                )
            cells.append(
                f'\n      <td class="{_escape(cell["css"])}">\n'
                '        <div class="fw-semibold small"><span class="day-name">'
                f"{_escape(cell['name'])} </span>{_escape(localize(cell['number']))}</div>\n"
                f"        {''.join(events)}\n"
                "      </td>"
            )
        weeks.append(f"\n    <tr>{''.join(cells)}\n    </tr>\n  ")
    return mark_safe("".join(weeks))
