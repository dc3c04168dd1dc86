"""The dashboard's RSVP panel lists what ``rsvp_list_for`` lists first: one's own active RSVPs
of events not over yet, soonest first, three of them, with each event's link."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from peerportal.dropin import selectors
from peerportal.dropin.models import RSVPStatus

from .factories import EventFactory, RSVPFactory

pytestmark = pytest.mark.django_db


def _event(location, hours: float, **fields):
    start = timezone.now() + dt.timedelta(hours=hours)
    return EventFactory(
        location=location, starts_at=start, ends_at=start + dt.timedelta(hours=2), **fields
    )


@pytest.mark.clock("2027-11-07T05:30:00Z")  # New York's DST fold
def test_panel_rows_are_the_first_of_my_rsvp_list(member, other_member, location):
    later = _event(location, 30, title="Later <on>")
    soon = _event(location, 5, title="Soon & now")
    ongoing = _event(location, -1, title="Going on now")  # ends in an hour: still listed
    cancelled_event = _event(location, 10, title="Called off", is_cancelled=True)
    past = _event(location, -5, title="Over")
    mine_cancelled = _event(location, 2, title="I cancelled")
    others = _event(location, 1, title="Someone else's")
    same_start = _event(location, 5, title="Same start, later RSVP")
    for event in (later, soon, ongoing, cancelled_event, past, same_start):
        RSVPFactory(event=event, member=member)
    RSVPFactory(event=mine_cancelled, member=member, status=RSVPStatus.CANCELLED)
    RSVPFactory(event=others, member=other_member)

    listed = list(selectors.rsvp_list_for(member))
    rows = selectors.rsvp_panel_rows(member)
    assert [(r.title, r.starts_at, r.url) for r in rows] == [
        (
            rsvp.event.title,
            rsvp.event.starts_at,
            reverse("dropin:event-detail", args=[rsvp.event.pk]),
        )
        for rsvp in listed[:3]
    ]
    assert [r.title for r in rows] == ["Going on now", "Soon & now", "Same start, later RSVP"]
    assert selectors.rsvp_panel_rows(other_member)[0].title == "Someone else's"


def test_the_dashboard_panel_shows_my_rsvps_escaped(member_client, member, location):
    event = _event(location, 5, title="Tea <&> talk")
    RSVPFactory(event=event, member=member)
    html = member_client.get(reverse("core:dashboard")).content.decode()
    url = reverse("dropin:event-detail", args=[event.pk])
    assert f'<li><a href="{url}">Tea &lt;&amp;&gt; talk</a> · ' in html


def test_the_panel_renders_what_it_rendered_from_the_rsvp_rows(member, location):
    from django.template import Context, Template
    from django.template.loader import render_to_string

    for hours, title in ((5, "Tea <&> talk"), (30, "Chess"), (50, "Art"), (70, "Fourth")):
        RSVPFactory(event=_event(location, hours, title=title), member=member)
    before = Template(  # the panel's template as it was, over rsvp_rows_for's rows
        '{% load i18n formatting_cache %}<div class="card h-100">\n  <div class="card-body">\n'
        '    <h2 class="h5 card-title">{% translate "My RSVPs" %}</h2>\n'
        "    {% if panel.rsvps %}\n"
        '      <ul class="list-unstyled">{% for rsvp in panel.rsvps %}<li><a href="'
        "{% url 'dropin:event-detail' rsvp.event.pk %}\">{{ rsvp.event.title }}</a> · "
        '{{ rsvp.event.starts_at|cached_date:"D j M, H:i" }}</li>{% endfor %}</ul>\n'
        "    {% else %}<p>{% translate \"No upcoming events. See what's on at the drop-in "
        'center." %}</p>{% endif %}\n'
        '    <a href="{% url \'dropin:rsvp-list\' %}">{% translate "My RSVPs" %}</a> · '
        '<a href="{% url \'dropin:event-list\' %}">{% translate "Events" %}</a>\n'
        "  </div>\n</div>\n"
    ).render(Context({"panel": {"rsvps": selectors.rsvp_rows_for(member, limit=3)}}))
    after = render_to_string(
        "dropin/panel_my_rsvps.html", {"panel": {"rsvps": selectors.rsvp_panel_rows(member)}}
    )
    assert after == before
    assert "Fourth" not in after and "Tea &lt;&amp;&gt; talk" in after
