"""Every drop-in view, per persona; anonymous visitors read the calendar and nothing else."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from peerportal.core.models import Organization
from peerportal.dropin import services
from peerportal.dropin.models import Event, EventSeries
from tests.factories import LocationFactory, org_localdate

from .factories import EventCategoryFactory, EventFactory, VisitCategoryFactory

pytestmark = pytest.mark.django_db

ALL = ("member", "staff", "supervisor", "coordinator")
PUBLIC_VIEWS = [
    ("dropin:event-list", False),
    ("dropin:calendar-month", False),
    ("dropin:calendar-week", False),
    ("dropin:event-detail", True),
]


@pytest.fixture
def published(location):
    return EventFactory(
        location=location,
        title="Open mic night",
        starts_at=timezone.now() + dt.timedelta(days=1),
    )


def _public_url(name, event, with_pk):
    url = reverse(name, args=[event.pk] if with_pk else [])
    local = timezone.localtime(event.starts_at, Organization.get().tzinfo)
    if name == "dropin:calendar-week":
        url += f"?start={local.date().isoformat()}"
    elif name == "dropin:calendar-month":
        url += f"?year={local.year}&month={local.month}"
    return url


@pytest.mark.parametrize(("name", "with_pk"), PUBLIC_VIEWS)
def test_anonymous_visitors_read_the_public_calendar(anonymous_client, published, name, with_pk):
    url = _public_url(name, published, with_pk)
    response = anonymous_client.get(url)
    assert response.status_code == 200
    assert "Open mic night" in response.content.decode()


@pytest.mark.parametrize(("name", "with_pk"), PUBLIC_VIEWS)
def test_every_persona_reads_the_public_calendar(persona_clients, published, name, with_pk):
    url = _public_url(name, published, with_pk)
    for persona, client in persona_clients.items():
        response = client.get(url)
        assert response.status_code == 200, persona
        assert "Open mic night" in response.content.decode(), persona


def test_event_page_invites_anonymous_visitors_to_log_in(anonymous_client, published):
    html = anonymous_client.get(reverse("dropin:event-detail", args=[published.pk])).content
    assert b"Sign in to RSVP" in html


@pytest.mark.parametrize(
    ("name", "method", "with_pk"),
    [
        ("dropin:rsvp-create", "post", True),
        ("dropin:rsvp-cancel", "post", True),
        ("dropin:rsvp-list", "get", False),
        ("dropin:tally-list", "get", False),
        ("dropin:tally-counter", "get", True),
        ("dropin:tally-tap", "post", True),
        ("dropin:tally-undo", "post", True),
        ("dropin:event-create", "get", False),
        ("dropin:event-edit", "get", True),
        ("dropin:event-cancel", "post", True),
        ("dropin:event-attendance", "get", True),
        ("reports:dropin:overview", "get", False),
        ("reports:dropin:events-csv", "get", False),
        ("reports:dropin:visits-csv", "get", False),
    ],
)
def test_anonymous_visitors_are_sent_to_log_in_for_everything_else(
    anonymous_client, published, name, method, with_pk
):
    pk = published.location_id if "tally" in name else published.pk
    url = reverse(name, args=[pk] if with_pk else [])
    response = getattr(anonymous_client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not Event.objects.filter(rsvps__isnull=False).exists()


def test_unpublished_events_are_hidden_except_from_coordinators(persona_clients, location):
    draft = EventFactory(location=location, title="Draft planning session", is_published=False)
    url = reverse("dropin:event-detail", args=[draft.pk])
    for persona, client in persona_clients.items():
        expected = 200 if persona == "coordinator" else 404
        assert client.get(url).status_code == expected, persona
    listing = reverse("dropin:event-list")
    assert "Draft planning session" not in persona_clients["member"].get(listing).content.decode()


def test_calendar_filters_by_location_and_category(anonymous_client, location):
    art = EventCategoryFactory(name="Creative")
    other_place = LocationFactory(name="Elsewhere Hall")
    EventFactory(location=location, title="Collage club", category=art)
    EventFactory(location=location, title="Walking group")
    EventFactory(location=other_place, title="Faraway painting", category=art)
    html = anonymous_client.get(
        reverse("dropin:event-list"), {"location": location.pk, "category": art.pk}
    ).content.decode()
    assert "Collage club" in html
    assert "Walking group" not in html and "Faraway painting" not in html
    assert "Open now" in html or "Closed now" in html


def test_filter_options_follow_the_locations_and_categories_on_the_next_visit(
    anonymous_client, location
):
    """The options' statements are prepared once per process; their rows are read anew."""
    listing = reverse("dropin:event-list")
    html = anonymous_client.get(listing).content.decode()
    assert f'<option value="{location.pk}">Harbor Test Center</option>' in html
    assert "Quiet Corner" not in html and "Board games" not in html
    corner = LocationFactory(name="Quiet Corner")
    games = EventCategoryFactory(name="Board games")
    html = anonymous_client.get(reverse("dropin:calendar-month")).content.decode()
    assert f'<option value="{corner.pk}">Quiet Corner</option>' in html
    assert f'<option value="{games.pk}">Board games</option>' in html
    corner.is_active = False
    corner.save()
    games.is_active = False
    games.save()
    html = anonymous_client.get(listing).content.decode()
    assert "Quiet Corner" not in html and "Board games" not in html


def test_month_view_places_events_on_their_local_day(anonymous_client, location, new_york):
    # 23:30 New York time on 10 March 2027 is 04:30 UTC on 11 March.
    start = dt.datetime(2027, 3, 10, 23, 30, tzinfo=new_york)
    EventFactory(location=location, title="Late-night games", starts_at=start)
    response = anonymous_client.get(reverse("dropin:calendar-month"), {"year": 2027, "month": 3})
    weeks = response.context["weeks"]
    days = {day: [e.title for e in events] for week in weeks for day, events in week}
    assert days[dt.date(2027, 3, 10)] == ["Late-night games"]
    assert days[dt.date(2027, 3, 11)] == []


def test_week_view_shows_the_week_of_the_given_date(anonymous_client, location, new_york):
    start = dt.datetime(2027, 3, 17, 18, tzinfo=new_york)
    EventFactory(location=location, title="Wednesday supper", starts_at=start)
    response = anonymous_client.get(reverse("dropin:calendar-week"), {"start": "2027-03-19"})
    assert response.context["week_start"] == dt.date(2027, 3, 15)
    assert "Wednesday supper" in response.content.decode()


@pytest.mark.parametrize("query", [{"year": "x", "month": "13"}, {"year": "2027", "month": "0"}])
def test_month_view_survives_bad_parameters(anonymous_client, query):
    assert anonymous_client.get(reverse("dropin:calendar-month"), query).status_code == 200


def test_list_view_paginates(anonymous_client, location):
    for i in range(25):
        EventFactory(location=location, starts_at=timezone.now() + dt.timedelta(days=1, hours=i))
    response = anonymous_client.get(reverse("dropin:event-list"))
    assert response.context["page"].paginator.num_pages == 2


def test_location_page_lists_upcoming_events_in_few_queries(
    anonymous_client, location, django_assert_max_num_queries
):
    EventFactory(location=location, title="Soup and chat")
    url = reverse("core:location-detail", args=[location.pk])
    with django_assert_max_num_queries(8):
        html = anonymous_client.get(url).content.decode()
    assert "Soup and chat" in html
    assert reverse("dropin:location-feed", args=[location.pk]) in html


def test_location_page_without_events_says_so(anonymous_client, location):
    html = anonymous_client.get(reverse("core:location-detail", args=[location.pk])).content
    assert b"No events coming up." in html


def test_my_rsvps_page_per_persona(persona_clients):
    for persona, client in persona_clients.items():
        assert client.get(reverse("dropin:rsvp-list")).status_code == 200, persona


def test_visit_counter_pages_per_persona(persona_clients, location):
    VisitCategoryFactory(name="First visit")
    for persona, client in persona_clients.items():
        expected = 403 if persona == "member" else 200
        assert client.get(reverse("dropin:tally-list")).status_code == expected, persona
        counter = client.get(reverse("dropin:tally-counter", args=[location.pk]))
        assert counter.status_code == expected, persona
        if expected == 200:
            assert "+1 First visit" in counter.content.decode()


def test_attendance_recording_per_persona(persona_clients, location):
    held = EventFactory(
        location=location,
        starts_at=timezone.now() - dt.timedelta(hours=3),
        ends_at=timezone.now() - dt.timedelta(hours=1),
    )
    url = reverse("dropin:event-attendance", args=[held.pk])
    for persona, client in persona_clients.items():
        response = client.post(url, {"attended_count": 11})
        assert response.status_code == (403 if persona == "member" else 302), persona
    held.refresh_from_db()
    assert held.attended_count == 11


def test_event_management_is_for_coordinators_only(persona_clients, published):
    for persona, client in persona_clients.items():
        for name in ("dropin:event-edit", "dropin:event-cancel"):
            response = client.get(reverse(name, args=[published.pk]))
            assert response.status_code == (200 if persona == "coordinator" else 403), persona
        response = client.get(reverse("dropin:event-create"))
        assert response.status_code == (200 if persona == "coordinator" else 403), persona


@time_machine.travel(dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC), tick=False)
def test_coordinator_creates_a_one_off_event(coordinator_client, location, new_york):
    response = coordinator_client.post(
        reverse("dropin:event-create"),
        {
            "location": location.pk,
            "title": "Spring fair",
            "starts_at": "2027-04-10T11:00",
            "ends_at": "2027-04-10T15:00",
            "rsvp_enabled": "on",
            "capacity": "30",
            "is_published": "on",
        },
    )
    event = Event.objects.get(title="Spring fair")
    assert response["Location"] == reverse("dropin:event-detail", args=[event.pk])
    assert event.starts_at == dt.datetime(2027, 4, 10, 15, tzinfo=dt.UTC)  # 11:00 EDT
    assert event.capacity == 30 and event.series is None


def test_coordinator_creates_a_weekly_series(coordinator_client, location, new_york):
    response = coordinator_client.post(
        reverse("dropin:event-create"),
        {
            "location": location.pk,
            "title": "Weekly knitting",
            "starts_at": (org_localdate() + dt.timedelta(days=2)).isoformat() + "T18:00",
            "ends_at": (org_localdate() + dt.timedelta(days=2)).isoformat() + "T19:00",
            "repeat": "FREQ=WEEKLY",
            "is_published": "on",
        },
    )
    assert response.status_code == 302
    series = EventSeries.objects.get(title="Weekly knitting")
    events = list(series.events.all())
    assert len(events) >= 12
    assert {e.starts_at.astimezone(new_york).time() for e in events} == {dt.time(18)}


def test_event_form_rejects_an_end_before_the_start(coordinator_client, location):
    response = coordinator_client.post(
        reverse("dropin:event-create"),
        {
            "location": location.pk,
            "title": "Backwards",
            "starts_at": "2027-04-10T15:00",
            "ends_at": "2027-04-10T11:00",
        },
    )
    assert response.status_code == 200
    assert "ends_at" in response.context["form"].errors
    assert not Event.objects.filter(title="Backwards").exists()


def test_coordinator_cancels_an_event_with_a_notice(coordinator_client, published, member):
    services.rsvp_create(event=published, member=member)
    response = coordinator_client.post(
        reverse("dropin:event-cancel", args=[published.pk]), {"notice": "Snow day."}
    )
    assert response.status_code == 302
    published.refresh_from_db()
    assert published.is_cancelled
    html = coordinator_client.get(reverse("dropin:event-detail", args=[published.pk])).content
    assert b"Snow day." in html


def test_coordinator_edits_an_event(coordinator_client, published):
    data = {
        "location": published.location_id,
        "title": "Open mic night (moved)",
        "starts_at": timezone.localtime(published.starts_at).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": timezone.localtime(published.ends_at).strftime("%Y-%m-%dT%H:%M"),
        "is_published": "on",
    }
    response = coordinator_client.post(reverse("dropin:event-edit", args=[published.pk]), data)
    assert response.status_code == 302
    published.refresh_from_db()
    assert published.title == "Open mic night (moved)"


def test_staff_see_rsvp_counts_but_members_do_not_see_the_staff_box(
    staff_client, member_client, published, other_member
):
    services.rsvp_create(event=published, member=other_member)
    url = reverse("dropin:event-detail", args=[published.pk])
    assert b"For staff" in staff_client.get(url).content
    member_html = member_client.get(url).content.decode()
    assert "For staff" not in member_html
    assert other_member.display_name not in staff_client.get(url).content.decode()


def test_nav_shows_events_to_everyone_and_the_counter_to_staff(anonymous_client, staff_client):
    anon = anonymous_client.get(reverse("core:home"), follow=True).content.decode()
    assert reverse("dropin:event-list") in anon
    assert reverse("dropin:tally-list") not in anon
    staff = staff_client.get(reverse("core:dashboard")).content.decode()
    assert reverse("dropin:tally-list") in staff


def test_list_shows_seats_left_not_names(anonymous_client, event, other_member):
    services.rsvp_create(event=event, member=other_member)
    html = anonymous_client.get(reverse("dropin:event-list")).content.decode()
    assert "1 seat left" in html
    assert other_member.display_name not in html


def test_a_capacity_without_rsvp_is_refused_with_a_clear_message(coordinator_client, location):
    """Field report §5: a capacity without RSVP was silently ignored."""
    response = coordinator_client.post(
        reverse("dropin:event-create"),
        {
            "location": location.pk,
            "title": "Capacity only",
            "starts_at": "2027-04-10T11:00",
            "ends_at": "2027-04-10T15:00",
            "capacity": "30",
            "is_published": "on",
        },
    )
    assert response.status_code == 200
    assert "turn RSVPs on" in response.context["form"].errors["capacity"][0]
    assert not Event.objects.filter(title="Capacity only").exists()
