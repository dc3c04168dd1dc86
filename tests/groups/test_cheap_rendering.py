"""The cheaper renderings of the group pages give exactly what the plain ones gave."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from django import forms
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from peerportal.core.memo_select import MemoSelect
from peerportal.groups import services
from peerportal.groups.forms import DirectoryFilterForm
from peerportal.groups.models import Booking
from tests.factories import LocationFactory, UserFactory
from tests.groups.factories import GroupSessionFactory, TopicFactory

pytestmark = pytest.mark.django_db


def _plain(bound_field) -> str:
    widget = bound_field.field.widget
    bound_field.field.widget = forms.Select(attrs=widget.attrs, choices=widget.choices)
    try:
        return str(bound_field)
    finally:
        bound_field.field.widget = widget


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize(
    "data",
    [
        None,
        {"format": "virtual", "day": "2", "language": "es", "q": "a<b"},
        {"topic": "999999", "day": "x", "format": "zzz"},
    ],
)
def test_memo_select_renders_what_the_select_templates_render(language, data):
    topic = TopicFactory(name='Grief & "loss"')
    location = LocationFactory()
    if data is not None and "format" in data and data["format"] == "virtual":
        data = {**data, "topic": str(topic.pk), "location": str(location.pk)}
    with translation.override(language):
        form = DirectoryFilterForm(data)
        form.is_valid()
        selects = [name for name, f in form.fields.items() if isinstance(f.widget, MemoSelect)]
        assert len(selects) == 5
        for name in selects:
            assert str(form[name]) == _plain(form[name])


def test_memo_select_renders_groups_and_attributes_like_the_templates():
    class Form(forms.Form):
        pick = forms.ChoiceField(
            choices=[("", "--"), ("Group <1>", [("x", "X & y"), (3, 1000)]), ("z", "Z")],
            widget=MemoSelect(attrs={"disabled": True, "data-x": 'a"b', "hidden": False}),
        )

    form = Form({"pick": "x"})
    assert str(form["pick"]) == _plain(form["pick"])


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("zone", ["America/New_York", "Europe/Madrid"])
def test_cached_date_and_url_give_what_date_and_url_give(language, zone):
    plain = Template(
        "{% for v in values %}{{ v|date:'l j F Y, H:i' }}|{{ v|date:'D j M, H:i' }}|"
        "{{ v|date:'T' }}|{% url 'groups:booking-create' 7 %};{% endfor %}"
    )
    cached = Template(
        "{% load formatting_cache %}{% for v in values %}{{ v|cached_date:'l j F Y, H:i' }}|"
        "{{ v|cached_date:'D j M, H:i' }}|{{ v|cached_date:'T' }}|"
        "{% cached_url 'groups:booking-create' 7 %};{% endfor %}"
    )
    # Around a DST change, and the same instant seen from two zones.
    base = dt.datetime(2027, 3, 14, 6, 30, tzinfo=dt.UTC)
    values = [base + dt.timedelta(hours=h) for h in range(0, 6)] + [None]
    dates = Template("{{ d|date:'l j F Y' }}|{{ d|date }}")
    cached_dates = Template(
        "{% load formatting_cache %}{{ d|cached_date:'l j F Y' }}|{{ d|cached_date }}"
    )
    with translation.override(language), timezone.override(zoneinfo.ZoneInfo(zone)):
        for _ in range(2):  # the second time from the memo
            assert cached.render(Context({"values": values})) == plain.render(
                Context({"values": values})
            )
            day = Context({"d": dt.date(2027, 2, 28)})
            assert cached_dates.render(day) == dates.render(day)


def _token(html: str) -> set[str]:
    return set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html))


def test_kept_boxes_follow_the_seats_and_carry_each_page_its_own_token(member_client):
    session = GroupSessionFactory(group__capacity=2)
    url = reverse("groups:group-detail", args=[session.group_id])
    first = member_client.get(url).content.decode()
    assert "2 seats left" in first
    services.booking_create(session=session, member=UserFactory())
    second = member_client.get(url).content.decode()
    assert "1 seat left" in second and "2 seats left" not in second
    # One token per page, used by every form on it, and it is accepted.
    assert len(_token(second)) == 1
    other = Client()
    other.force_login(UserFactory())
    theirs = other.get(url).content.decode()
    assert _token(theirs) and _token(theirs) != _token(second)
    checked = Client(enforce_csrf_checks=True)
    checked.cookies = member_client.cookies
    response = checked.post(
        reverse("groups:booking-create", args=[session.pk]),
        {"csrfmiddlewaretoken": _token(second).pop()},
    )
    assert response.status_code == 302


def test_own_booking_box_is_not_shared_with_others(member_client, member):
    session = GroupSessionFactory()
    services.booking_create(session=session, member=member)
    url = reverse("groups:group-detail", args=[session.group_id])
    assert "You're booked" in member_client.get(url).content.decode()
    other = Client()
    other.force_login(UserFactory())
    page = other.get(url).content.decode()
    assert "You're booked" not in page and "Book a place" in page
    anonymous = Client().get(url).content.decode()
    assert reverse("groups:booking-create", args=[session.pk]) not in anonymous


@pytest.mark.parametrize("past", [20, 21])
def test_past_bookings_page_through_with_or_without_counting(member_client, member, past):
    start = timezone.now() - dt.timedelta(days=60)
    for i in range(past):
        session = GroupSessionFactory(
            starts_at=start + dt.timedelta(days=i), ends_at=start + dt.timedelta(days=i, hours=1)
        )
        Booking.objects.create(session=session, member=member, status="confirmed", seat=1)
    url = reverse("groups:booking-list")
    first = member_client.get(url)
    assert len(first.context["page"]) == 20
    assert first.context["page"].paginator.num_pages == (past + 19) // 20
    assert ("Page 1 of 2" in first.content.decode()) == (past > 20)
    if past > 20:
        second = member_client.get(url, {"page": 2})
        assert len(second.context["page"]) == 1


# The directory's cards as the template's loop wrote them before they were made in Python.
_CARDS_LOOP = """{% load formatting_cache %}{% translate "Next:" as next_label %}{% translate "full — waitlist open" as full_label %}{% translate "places available" as open_label %}{% translate "No sessions in the next two weeks." as none_label %}{% for group in rows %}
  <div class="col-md-6">
    <article class="card h-100">
      <div class="card-body">
        <h2 class="h5 card-title"><a href="{{ group.url }}">{{ group.name }}</a></h2>
        <p class="mb-1 small">{{ group.format }} · {{ group.language }}{% if group.location %} · {{ group.location }}{% endif %}</p>
        <p class="mb-2">{% for topic in group.topics %}<span class="badge text-bg-light border me-1">{{ topic }}</span>{% endfor %}</p>
        <p class="card-text">{{ group.description|truncatewords:30 }}</p>
        {% with nxt=group.next %}
          {% if nxt %}<p class="mb-0 small"><strong>{{ next_label }}</strong> {{ nxt.starts_at|cached_date:"l j F, H:i" }} ·
            {% if nxt.full %}{{ full_label }}{% else %}{{ open_label }}{% endif %}</p>
          {% else %}<p class="mb-0 small text-body-secondary">{{ none_label }}</p>{% endif %}
        {% endwith %}
      </div>
    </article>
  </div>
{% endfor %}"""


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("zone", ["America/New_York", "Europe/Madrid"])
def test_directory_cards_are_what_the_template_loop_wrote(language, zone):
    from peerportal.groups.views.group_directory import _directory_cards

    starts = dt.datetime(2027, 3, 28, 0, 30, tzinfo=dt.UTC)  # the night Madrid's clocks change
    rows = [
        {
            "name": 'Grief & "loss" <circle>',
            "url": "/groups/7/",
            "format": "In person",
            "language": "Español",
            "location": "Room <2> & 'annex'",
            "topics": ["Grief & loss", "<b>", "Plain"],
            "description": " ".join(f"w{i}&<x>" for i in range(40)) + "\nlast",
            "next": {"starts_at": starts, "full": True},
        },
        {
            "name": "Short",
            "url": "/groups/8/",
            "format": "Online",
            "language": "English",
            "location": None,
            "topics": (),
            "description": "Line one\nline two",
            "next": {"starts_at": starts + dt.timedelta(hours=2), "full": False},
        },
        {
            "name": "None soon",
            "url": "/groups/9/",
            "format": "Hybrid",
            "language": "English",
            "location": "",
            "topics": ["Only"],
            "description": "",
            "next": None,
        },
    ]
    loop = Template("{% load i18n %}" + _CARDS_LOOP)
    with translation.override(language), timezone.override(zoneinfo.ZoneInfo(zone)):
        assert str(_directory_cards(rows)) == loop.render(Context({"rows": rows}))
        assert str(_directory_cards([])) == ""


def _filter_form(page) -> str:
    html = page if isinstance(page, str) else page.content.decode()
    start = html.index('<form method="get"')
    return html[start : html.index("</form>", start)]


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"page": "2"},
        {"q": 'a<b "c"', "format": "virtual", "day": "2", "language": "es"},
        {"topic": "999999", "day": "x", "format": "zzz"},
    ],
)
def test_kept_filter_form_is_the_form_rendered_afresh(client, data):
    from django.template.loader import get_template

    from peerportal.groups import selectors
    from peerportal.groups.views import group_directory

    TopicFactory(name='Grief & "loss"')
    LocationFactory(name="Main <hall>")
    url = reverse("groups:group-list")
    for language in ("en", "es"):
        group_directory._FILTER_FORMS.clear()
        forms_shown = [
            _filter_form(client.get(url, data, HTTP_ACCEPT_LANGUAGE=language)) for _ in (1, 2)
        ]
        assert len(group_directory._FILTER_FORMS) == 1
        with translation.override(language):
            form = DirectoryFilterForm(data or None)
            form.is_valid()
            topics, locations = selectors.directory_choices()
            form.set_choices(topics=topics, locations=locations)
            fresh = get_template("groups/_directory_filters.html").render({"form": form})
        assert forms_shown == [_filter_form(fresh)] * 2  # the second one is the kept one
        assert ("is-invalid" in fresh) == ("zzz" in str(data))


def test_filter_form_shows_a_new_topic_and_the_language_of_the_request(client):
    url = reverse("groups:group-list")
    TopicFactory(name="Grief")
    assert "Grief" in client.get(url).content.decode()
    TopicFactory(name="Hearing voices")
    page = client.get(url).content.decode()
    assert "Hearing voices" in page and "Any topic" in page
    spanish = client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Any topic" not in spanish and "Hearing voices" in spanish
    assert "Any topic" in client.get(url, {"topic": ""}).content.decode()


# My bookings' upcoming rows as the template's loop wrote them before they were made in Python.
_UPCOMING_LOOP = """{% load i18n formatting_cache %}{% translate "Cancelled" as cancelled_label %}{% translate "Booked" as booked_label %}{% translate 'Cancel this booking?' as cancel_confirm %}{% translate "Skip this date" as skip_label %}{% translate "Cancel" as cancel_label %}{% for row in rows %}{% with b=row.booking %}
    <tr>
      <td><a href="{% cached_url 'groups:group-detail' b.session.group_id %}">{{ b.session.group.name }}</a>{% if row.show_link %}<br><a href="{{ b.session.group.virtual_link }}" rel="noopener">{% translate "Join the online session" %}</a>{% endif %}</td>
      <td>{{ b.session.starts_at|cached_date:"D j M Y, H:i" }} <span class="small">{{ b.session.starts_at|cached_date:"T" }}</span>{% if b.session.is_cancelled %} <span class="badge text-bg-danger">{{ cancelled_label }}</span>{% endif %}</td>
      <td>{% if b.status == 'confirmed' %}{{ booked_label }}{% if b.session.group.is_virtual and not row.show_link and not b.session.is_cancelled %}<br><span class="small">{% blocktranslate with at=b.session.link_visible_from|cached_date:"D j M, H:i" tz=b.session.starts_at|cached_date:"T" %}The meeting link appears here at {{ at }} ({{ tz }}).{% endblocktranslate %}</span>{% endif %}
        {% elif row.offer %}<strong>{% translate "A place is held for you" %}</strong><br><span class="small">{% blocktranslate with until=row.offer.expires_at|cached_date:"D j M, H:i" tz=row.offer.expires_at|cached_date:"T" %}Take it or let it go by {{ until }} ({{ tz }}).{% endblocktranslate %}</span>
        {% else %}{% blocktranslate with n=row.position %}You're number {{ n }} in line{% endblocktranslate %}{% endif %}</td>
      <td>{% if row.offer %}
        <form method="post" action="{% cached_url 'groups:offer-accept' row.offer.pk %}" class="d-inline">{% csrf_token %}<button class="btn btn-primary btn-sm" type="submit">{% translate "Take the place" %}</button></form>
        <form method="post" action="{% cached_url 'groups:offer-decline' row.offer.pk %}" class="d-inline">{% csrf_token %}<button class="btn btn-outline-secondary btn-sm" type="submit">{% translate "Let it go" %}</button></form>
        {% elif row.can_cancel and not b.session.is_cancelled %}
        <form method="post" action="{% cached_url 'groups:booking-cancel' b.pk %}" data-confirm="{{ cancel_confirm }}">{% csrf_token %}<input type="hidden" name="next" value="bookings">
          <button class="btn btn-outline-danger btn-sm" type="submit">{% if b.standing_place_id and b.status == 'confirmed' %}{{ skip_label }}{% else %}{{ cancel_label }}{% endif %}</button></form>{% endif %}</td>
    </tr>
  {% endwith %}{% endfor %}"""


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("zone", ["America/New_York", "Europe/Madrid"])
def test_my_bookings_rows_are_what_the_template_loop_wrote(language, zone):
    from peerportal.groups.models import GroupSession, SupportGroup, WaitlistOffer
    from peerportal.groups.views.bookings import _upcoming_rows_html

    starts = dt.datetime(2027, 3, 28, 0, 30, tzinfo=dt.UTC)  # the night Madrid's clocks change

    def booking(pk, status, *, fmt="in_person", cancelled=False, standing=None, link="https://x"):
        group = SupportGroup(
            pk=pk + 100,
            name=f'Group <{pk}> & "friends"',
            format=fmt,
            virtual_link=f"{link}/?a=1&b=<{pk}>",
            link_visible_minutes=15,
            cancellation_cutoff_hours=24,
        )
        session = GroupSession(
            pk=pk + 200,
            group=group,
            starts_at=starts + dt.timedelta(hours=pk),
            ends_at=starts + dt.timedelta(hours=pk + 1),
            status="cancelled" if cancelled else "scheduled",
        )
        return Booking(pk=pk, session=session, status=status, standing_place_id=standing)

    offer = WaitlistOffer(pk=77, expires_at=starts + dt.timedelta(minutes=95))
    rows = [
        {
            "booking": booking(1, "confirmed"),
            "offer": None,
            "position": None,
            "show_link": False,
            "can_cancel": True,
        },
        {
            "booking": booking(2, "confirmed", fmt="virtual"),
            "offer": None,
            "position": None,
            "show_link": False,
            "can_cancel": False,
        },
        {
            "booking": booking(3, "confirmed", fmt="hybrid"),
            "offer": None,
            "position": None,
            "show_link": True,
            "can_cancel": True,
        },
        {
            "booking": booking(4, "confirmed", fmt="virtual", cancelled=True),
            "offer": None,
            "position": None,
            "show_link": False,
            "can_cancel": True,
        },
        {
            "booking": booking(5, "confirmed", standing=9),
            "offer": None,
            "position": None,
            "show_link": False,
            "can_cancel": True,
        },
        {
            "booking": booking(6, "waitlisted", standing=9),
            "offer": None,
            "position": 1234,
            "show_link": False,
            "can_cancel": True,
        },
        {
            "booking": booking(7, "waitlisted"),
            "offer": offer,
            "position": 1,
            "show_link": False,
            "can_cancel": True,
        },
        {
            "booking": booking(8, "waitlisted", cancelled=True),
            "offer": None,
            "position": 3,
            "show_link": False,
            "can_cancel": True,
        },
    ]
    token = "tOkEn123"
    loop = Template(_UPCOMING_LOOP)
    with translation.override(language), timezone.override(zoneinfo.ZoneInfo(zone)):
        expected = loop.render(Context({"rows": rows, "csrf_token": token}))
        assert str(_upcoming_rows_html(rows, token)) == expected
        assert str(_upcoming_rows_html([], token)) == ""
