"""The repeated rows of the events list and the month grid, as HTML built here in one pass.

A template loop rendering a dozen variables, tags and filters for each of twenty events (the
list) or forty-two cells (the month) was most of those pages' cost. These functions give
byte for byte the markup the templates' loops gave (tests render both and compare): text
escaped as ``{{ }}`` escapes it, translations unescaped as ``{% translate %}`` leaves them,
dates and times through the same remembered ``|cached_date``/``|cached_time`` in the
current time zone, numbers localized as ``{% blocktranslate %}`` does.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from peerportal.core.markup import escape_value
from peerportal.core.templatetags.formatting_cache import cached_date, cached_time


class _Words:
    """The translated words of the rows, each looked up once a list (in the active language)."""

    def __init__(self):
        self._words: dict[str, str] = {}

    def __getitem__(self, message: str) -> str:
        word = self._words.get(message)
        if word is None:
            word = self._words[message] = _(message)
        return word


def _badges(event, words: _Words) -> str:
    """``dropin/_event_badges.html`` of a row."""
    out = ""
    if event.is_cancelled:
        out = f'<span class="badge text-bg-danger">{words["Cancelled"]}</span>'
    if not event.is_published:
        out += f' <span class="badge text-bg-warning">{words["Not published"]}</span>'
    if event.category:
        out += (
            f' <span class="badge text-bg-light border">{escape_value(event.category.name)}</span>'
        )
    return out


def _seats(event, words: _Words) -> str:
    if not (event.rsvp_enabled and event.capacity and not event.is_cancelled):
        return ""
    n = event.seats_left
    if not n:
        return "· " + words["Full"]
    return "· " + ngettext("%(n)s seat left", "%(n)s seats left", n) % {
        "n": escape_value(localize(n))
    }


def _list_item(event, tz, words: _Words) -> str:
    starts = event.starts_at.astimezone(tz)  # the filters' localtime: the current zone
    # ISO dates and "H:i" times have nothing to escape; names of days and months may.
    return (
        '\n    <li class="list-group-item">\n'
        f'      <a href="{escape_value(event.url)}">{escape_value(event.title)}</a>\n'
        f"      {_badges(event, words)}\n\n"
        '      <div class="small text-body-secondary">\n'
        f'        <time datetime="{cached_date(starts, "c")}">'
        f"{escape_value(cached_date(starts, 'D j M Y, H:i'))}</time>–"
        f"{cached_time(event.ends_at.astimezone(tz), 'H:i')}"
        f" · {escape_value(event.location.name)}\n"
        f"        {_seats(event, words)}\n"
        "      </div>\n"
        "    </li>\n  "
    )


# A row's item under everything it is made of (every field it shows, its link, the language
# and time zone), so an event that changes has another key: the list's twenty rows recur on
# every request. Cleared when full.
MAX_ITEMS = 5000
_items: dict[tuple, str] = {}


def event_list_items(events) -> SafeString:
    """The events list's ``<li>`` items (``EventRow``s read with ``counted=True``)."""
    tz = timezone.get_current_timezone()
    language = get_language()
    words = _Words()
    items = []
    for event in events:
        category = event.category
        key = (
            event.pk,
            event.url,
            event.title,
            event.starts_at,
            event.ends_at,
            event.capacity,
            event.rsvp_enabled,
            event.is_cancelled,
            event.is_published,
            event.location.name,
            category.name if category else None,
            event.rsvp_count,
            tz,
            language,
        )
        item = _items.get(key)
        if item is None:
            if len(_items) >= MAX_ITEMS:
                _items.clear()
            item = _items[key] = _list_item(event, tz, words)
        items.append(item)
    return mark_safe("".join(items))


def month_rows(grid) -> SafeString:
    """The month table's ``<tr>`` rows from ``views._month_grid``'s cells."""
    tz = timezone.get_current_timezone()
    words = _Words()
    names: dict[str, str] = {}  # seven day names, each escaped once
    weeks = []
    for week in grid:
        cells = []
        for cell in week:
            events = []
            for event in cell["events"]:
                badge = ""
                if event.is_cancelled:
                    badge = f' <span class="badge text-bg-danger">{words["Cancelled"]}</span>'
                starts = cached_time(event.starts_at.astimezone(tz), "H:i")
                events.append(
                    f'\n          <div class="small"><a href="{escape_value(event.url)}">'
                    f"{starts} {escape_value(event.title)}</a>{badge}</div>\n        "
                )
            name = names.get(cell["name"])
            if name is None:
                name = names[cell["name"]] = escape_value(cell["name"])
            # The day's number as is (localize() only groups digits from 1000 on) and the
            # view's fixed class names: nothing to escape.
            cells.append(
                f'\n      <td class="{cell["css"]}">\n'
                '        <div class="fw-semibold small"><span class="day-name">'
                f"{name} </span>{cell['number']}</div>\n"
                f"        {''.join(events)}\n"
                "      </td>"
            )
        weeks.append(f"\n    <tr>{''.join(cells)}\n    </tr>\n  ")
    return mark_safe("".join(weeks))
