"""The events list's and month grid's rows built in Python (dropin/markup.py) are the markup
the templates' loops gave, byte for byte: escaping, translations, plurals, time zones."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from peerportal.dropin import markup
from peerportal.dropin.selectors import EventRow
from peerportal.dropin.views import _month_grid

# The loops as the templates had them before the rows were built in Python.
LIST_LOOP = Template(
    """{% load i18n formatting_cache %}<ul class="list-group">
  {% for event in page %}
    <li class="list-group-item">
      <a href="{{ event.url }}">{{ event.title }}</a>
      {% if event.is_cancelled %}<span class="badge text-bg-danger">{% translate "Cancelled" %}</span>{% endif %}{% if not event.is_published %} <span class="badge text-bg-warning">{% translate "Not published" %}</span>{% endif %}{% if event.category %} <span class="badge text-bg-light border">{{ event.category.name }}</span>{% endif %}

      <div class="small text-body-secondary">
        <time datetime="{{ event.starts_at|cached_date:'c' }}">{{ event.starts_at|cached_date:"D j M Y, H:i" }}</time>–{{ event.ends_at|cached_time:"H:i" }} · {{ event.location.name }}
        {% if event.rsvp_enabled and event.capacity and not event.is_cancelled %}· {% if event.seats_left %}{% blocktranslate count n=event.seats_left %}{{ n }} seat left{% plural %}{{ n }} seats left{% endblocktranslate %}{% else %}{% translate "Full" %}{% endif %}{% endif %}
      </div>
    </li>
  {% empty %}
    <li class="list-group-item">{% translate "No upcoming events match." %}</li>
  {% endfor %}
</ul>"""  # noqa: E501
)
LIST_NOW = Template(
    """{% load i18n %}<ul class="list-group">
  {{ items }}{% if not items %}
    <li class="list-group-item">{% translate "No upcoming events match." %}</li>
  {% endif %}
</ul>"""
)
MONTH_LOOP = Template(
    """{% load i18n formatting_cache %}  <tbody>
  {% for week in grid %}
    <tr>{% for cell in week %}
      <td class="{{ cell.css }}">
        <div class="fw-semibold small"><span class="day-name">{{ cell.name }} </span>{{ cell.number }}</div>
        {% for event in cell.events %}
          <div class="small"><a href="{{ event.url }}">{{ event.starts_at|cached_time:"H:i" }} {{ event.title }}</a>{% if event.is_cancelled %} <span class="badge text-bg-danger">{% translate "Cancelled" %}</span>{% endif %}</div>
        {% endfor %}
      </td>{% endfor %}
    </tr>
  {% endfor %}
  </tbody>"""  # noqa: E501
)

START = dt.datetime(2025, 11, 2, 5, 30, tzinfo=dt.UTC)  # New York's DST fold that night


def _row(pk, **fields) -> EventRow:
    row = {
        "pk": pk,
        "title": f"Event {pk}",
        "starts_at": START + dt.timedelta(hours=7 * pk),
        "ends_at": START + dt.timedelta(hours=7 * pk + 2),
        "capacity": None,
        "rsvp_enabled": True,
        "is_cancelled": False,
        "is_published": True,
        "location_id": 1,
        "location__name": "Harbor Center",
        "category_id": None,
        "category__name": None,
        "rsvp_count": 0,
        **fields,
    }
    return EventRow(row, lambda pk: f"/drop-in/events/{pk}/?a=1&b=<2>")


def _rows() -> list[EventRow]:
    return [
        _row(1, title='Art & "craft" <night>', category_id=3, category__name="Music & <more>"),
        _row(2, is_cancelled=True, capacity=10, rsvp_count=2),
        _row(3, is_published=False, capacity=1, rsvp_count=1),  # full
        _row(4, capacity=5, rsvp_count=4),  # one seat left
        _row(5, capacity=1200, rsvp_count=3, location__name="O'Brien's place"),
        _row(6, capacity=5, rsvp_count=9, rsvp_enabled=False),
        _row(7, is_cancelled=True, is_published=False, category_id=4, category__name="Café"),
        _row(8, capacity=5, rsvp_count=9),  # more RSVPs than seats: full
    ]


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("zone", ["America/New_York", "Europe/Madrid"])
def test_event_list_items_are_the_list_templates_rows(language, zone):
    rows = _rows()
    with translation.override(language), timezone.override(zoneinfo.ZoneInfo(zone)):
        expected = LIST_LOOP.render(Context({"page": rows}))
        got = LIST_NOW.render(Context({"items": markup.event_list_items(rows)}))
        assert got == expected
        assert LIST_NOW.render(Context({"items": markup.event_list_items([])})) == (
            LIST_LOOP.render(Context({"page": []}))
        )
    assert "Art &amp; &quot;craft&quot; &lt;night&gt;" in got
    assert "?a=1&amp;b=&lt;2&gt;" in got


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("zone", ["America/New_York", "Europe/Madrid"])
def test_month_rows_are_the_month_templates_rows(language, zone):
    import calendar

    rows = _rows()
    with translation.override(language), timezone.override(zoneinfo.ZoneInfo(zone)):
        weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(2025, 11)
        by_day: dict[dt.date, list] = {}
        for row in rows:
            by_day.setdefault(timezone.localtime(row.starts_at).date(), []).append(row)
        weeks = [[(day, by_day.get(day, [])) for day in week] for week in weeks]
        grid = _month_grid(weeks, dt.date(2025, 11, 1), dt.date(2025, 11, 3))
        expected = MONTH_LOOP.render(Context({"grid": grid}))
        got = Template("  <tbody>\n  {{ rows }}\n  </tbody>").render(
            Context({"rows": markup.month_rows(grid)})
        )
    assert got == expected
    assert "Art &amp; &quot;craft&quot; &lt;night&gt;" in got


def test_a_remembered_list_item_changes_with_its_event_and_the_language():
    row = _row(1, capacity=5, rsvp_count=3)
    with translation.override("en"), timezone.override(zoneinfo.ZoneInfo("America/New_York")):
        assert "2 seats left" in markup.event_list_items([row])
        assert "2 seats left" in markup.event_list_items([row])  # remembered: the same
        row.rsvp_count = 4
        assert "1 seat left" in markup.event_list_items([row])
        row.title = "Renamed <evening>"
        assert "Renamed &lt;evening&gt;" in markup.event_list_items([row])
        assert "Sun 2 Nov 2025, 07:30" in markup.event_list_items([row])
    with translation.override("es"), timezone.override(zoneinfo.ZoneInfo("America/New_York")):
        assert "Queda 1 lugar" in markup.event_list_items([row])
    with translation.override("en"), timezone.override(zoneinfo.ZoneInfo("Europe/Madrid")):
        assert "Sun 2 Nov 2025, 13:30" in markup.event_list_items([row])


def test_the_day_names_are_remembered_per_language():
    import calendar

    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(2025, 11)
    weeks = [[(day, []) for day in week] for week in weeks]
    with translation.override("en"):
        assert _month_grid(weeks, dt.date(2025, 11, 1), dt.date(2025, 11, 3))[0][0]["name"] == (
            "Monday"
        )
    with translation.override("es"):
        assert _month_grid(weeks, dt.date(2025, 11, 1), dt.date(2025, 11, 3))[0][0]["name"] == (
            "Lunes"
        )
