"""The dashboard's group and warm-line panels (their reads prepared once, see
core/prepared.py) list what the apps' selectors list and render what they rendered."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from peerportal.core.templatetags.formatting_cache import cached_date
from peerportal.groups import panels as group_panels
from peerportal.groups import selectors as group_selectors
from peerportal.groups.models import Booking, BookingStatus
from peerportal.warmline import panels as warmline_panels
from peerportal.warmline import selectors as warmline_selectors
from peerportal.warmline.models import ShiftAssignment
from tests.groups.factories import GroupSessionFactory, SupportGroupFactory
from tests.warmline.factories import ShiftFactory, WarmLineFactory

pytestmark = pytest.mark.django_db

# The panels' templates as they were, over the selectors' model instances.
BOOKINGS_BEFORE = Template(
    """{% load i18n formatting_cache %}<section class="card h-100"><div class="card-body">
<h2 class="h5 card-title">{% translate "My next group sessions" %}</h2>
<ul class="list-unstyled mb-2">{% for b in panel.bookings %}<li>{{ b.session.group.name }} — {{ b.session.starts_at|cached_date:"D j M, H:i" }}{% if b.status == 'waitlisted' %} <span class="badge text-bg-warning">{% translate "waitlist" %}</span>{% endif %}</li>
{% empty %}<li>{% translate "No bookings yet." %}</li>{% endfor %}</ul>
<a href="{% url 'groups:group-list' %}">{% translate "Find a support group" %}</a> · <a href="{% url 'groups:booking-list' %}">{% translate "My bookings" %}</a>
</div></section>
"""  # noqa: E501
)
FACILITATING_BEFORE = Template(
    """{% load i18n formatting_cache %}<section class="card h-100"><div class="card-body">
<h2 class="h5 card-title">{% translate "Sessions I facilitate this week" %}</h2>
<ul class="list-unstyled mb-2">{% for s in panel.sessions %}<li><a href="{% cached_url 'groups:session-roster' s.pk %}">{{ s.group.name }} — {{ s.starts_at|cached_date:"D j M, H:i" }}</a></li>
{% empty %}<li>{% translate "None this week." %}</li>{% endfor %}</ul>
</div></section>
"""  # noqa: E501
)
SHIFTS_BEFORE = Template(
    """{% load i18n %}<div class="card h-100">
  <div class="card-body">
    <h2 class="h5 card-title">{% translate "My next warm-line shifts" %}</h2>
    {% if panel.assignments %}
      <ul class="list-unstyled">{% for a in panel.assignments %}<li><a href="{{ a.week_link }}">{{ a.starts }}</a> · {{ a.shift.line.name }}</li>{% endfor %}</ul>
    {% else %}<p>{% translate "No upcoming shifts." %}</p>{% endif %}
    <a href="{% url 'warmline:my-shifts' %}">{% translate "My shifts" %}</a> · <a href="{% url 'warmline:board' %}">{% translate "Shift board" %}</a>
  </div>
</div>
"""  # noqa: E501
)


def _request(user):
    request = RequestFactory().get("/dashboard/")
    request.user = user
    return request


def _session(group, hours: float):
    start = timezone.now() + dt.timedelta(hours=hours)
    return GroupSessionFactory(group=group, starts_at=start, ends_at=start + dt.timedelta(hours=1))


@pytest.mark.parametrize("language", ["en", "es"])
def test_booking_panel_lists_and_renders_what_the_selector_gave(member, other_member, language):
    group = SupportGroupFactory(name="Circle <&> friends")
    other = SupportGroupFactory(name="Second circle")
    booked = [
        (_session(group, 30), BookingStatus.CONFIRMED),
        (_session(other, 5), BookingStatus.WAITLISTED),
        (_session(group, -0.5), BookingStatus.CONFIRMED),  # under way: still listed
        (_session(group, -3), BookingStatus.CONFIRMED),  # over
        (_session(other, 2), BookingStatus.CANCELLED),
        (_session(group, 50), BookingStatus.CONFIRMED),
        (_session(other, 70), BookingStatus.CONFIRMED),
        (_session(group, 90), BookingStatus.CONFIRMED),
        (_session(other, 110), BookingStatus.CONFIRMED),  # the sixth: not shown
    ]
    for seat, (session, status) in enumerate(booked, start=1):
        confirmed = status == BookingStatus.CONFIRMED
        Booking.objects.create(
            session=session, member=member, status=status, seat=seat if confirmed else None
        )
    Booking.objects.create(session=_session(other, 1), member=other_member, status="waitlisted")
    with translation.override(language):
        before = BOOKINGS_BEFORE.render(
            Context(
                {
                    "panel": {
                        "bookings": group_selectors.next_bookings(
                            member, timezone.now()
                        ).select_related("session__group")[:5]
                    }
                }
            )
        )
        after = render_to_string(
            "groups/panel_my_bookings.html", {"panel": group_panels.my_bookings(_request(member))}
        )
    assert after == before
    assert after.count("<li>") == 5 and "Circle &lt;&amp;&gt; friends" in after


def test_facilitating_panel_lists_and_renders_what_the_selector_gave(staff, other_staff):
    mine = SupportGroupFactory(name="Mine & yours")
    mine.facilitators.add(staff)
    theirs = SupportGroupFactory(name="Theirs")
    theirs.facilitators.add(other_staff)
    for hours in (-2, -0.5, 3, 30, 60, 100, 130, 150, 160, 200):  # 7 days = 168 hours
        _session(mine, hours)
    _session(theirs, 4)
    before = FACILITATING_BEFORE.render(
        Context(
            {
                "panel": {
                    "sessions": group_selectors.facilitated_sessions_before(
                        staff, timezone.now(), timezone.now() + dt.timedelta(days=7)
                    ).select_related("group")[:5]
                }
            }
        )
    )
    after = render_to_string(
        "groups/panel_facilitating.html", {"panel": group_panels.facilitating(_request(staff))}
    )
    assert after == before
    assert after.count("<li>") == 5 and "Theirs" not in after and "Mine &amp; yours" in after


def _old_shift_context(user) -> dict:
    assignments = list(warmline_selectors.assignment_list_for(user)[:3])
    board = reverse("warmline:board")
    for a in assignments:
        start = timezone.localtime(a.shift.starts_at)
        a.week_link = f"{board}?week={start:%Y-%m-%d}#shift-{a.shift_id}"
        a.starts = cached_date(start, "D j M, H:i")
    return {"assignments": assignments}


@pytest.mark.clock("2027-11-07T04:00:00Z")  # around New York's DST fold
def test_shift_panel_lists_and_renders_what_the_selector_gave(staff, other_staff):
    line = WarmLineFactory(name="Night <line> & more")
    for hours, person, active in (
        (-5, staff, True),  # over
        (-1, staff, True),  # under way: listed
        (2, staff, False),  # given up
        (3, other_staff, True),
        (20, staff, True),
        (1, staff, True),
        (40, staff, True),  # the fourth: not shown
    ):
        start = timezone.now() + dt.timedelta(hours=hours)
        shift = ShiftFactory(line=line, starts_at=start, ends_at=start + dt.timedelta(hours=3))
        ShiftAssignment.objects.create(shift=shift, person=person, is_active=active)
    before = SHIFTS_BEFORE.render(Context({"panel": _old_shift_context(staff)}))
    after = render_to_string(
        "warmline/panel_my_shifts.html",
        {"panel": warmline_panels.my_next_shifts(_request(staff))},
    )
    assert after == before
    assert after.count("<li>") == 3 and "Night &lt;line&gt; &amp; more" in after


def test_empty_panels_render_what_they_rendered(member, staff):
    assert render_to_string(
        "warmline/panel_my_shifts.html", {"panel": warmline_panels.my_next_shifts(_request(staff))}
    ) == SHIFTS_BEFORE.render(Context({"panel": {"assignments": []}}))
    assert render_to_string(
        "groups/panel_my_bookings.html", {"panel": group_panels.my_bookings(_request(member))}
    ) == BOOKINGS_BEFORE.render(Context({"panel": {"bookings": []}}))
