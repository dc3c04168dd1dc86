"""RSVP services and views: capacity, clear refusals, reminders, cancellation notices, privacy."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from peerportal.dropin import services
from peerportal.dropin.exceptions import (
    AlreadyRSVPd,
    EventCancelled,
    EventFull,
    EventPast,
    NoActiveRSVP,
    RSVPNotOpen,
)
from peerportal.dropin.models import RSVP, RSVPStatus
from peerportal.reminders.models import Reminder, ReminderStatus
from tests.factories import UserFactory

from .factories import EventFactory

pytestmark = pytest.mark.django_db


def _reminders(event, member, kind):
    return Reminder.objects.for_target(event).filter(recipient=member, kind=kind)


def test_rsvp_schedules_a_reminder_a_day_before(event, member):
    services.rsvp_create(event=event, member=member)
    reminder = _reminders(event, member, "event_upcoming").get()
    assert reminder.status == ReminderStatus.PENDING
    assert reminder.due_at == event.starts_at - dt.timedelta(hours=24)


def test_rsvp_cancel_frees_the_seat_and_cancels_the_reminder(event, member):
    services.rsvp_create(event=event, member=member)
    services.rsvp_cancel(event=event, member=member)
    assert not RSVP.objects.active().filter(event=event).exists()
    assert _reminders(event, member, "event_upcoming").get().status == ReminderStatus.CANCELLED


def test_member_can_rsvp_again_after_cancelling(event, member):
    services.rsvp_create(event=event, member=member)
    services.rsvp_cancel(event=event, member=member)
    services.rsvp_create(event=event, member=member)
    assert RSVP.objects.filter(event=event, member=member).count() == 2
    assert _reminders(event, member, "event_upcoming").get().status == ReminderStatus.PENDING


def test_full_event_refuses_another_rsvp(event, member, other_member):
    services.rsvp_create(event=event, member=member)
    services.rsvp_create(event=event, member=other_member)
    with pytest.raises(EventFull):
        services.rsvp_create(event=event, member=UserFactory())
    assert RSVP.objects.active().filter(event=event).count() == 2


def test_unlimited_event_takes_any_number_of_rsvps(location):
    event = EventFactory(location=location, capacity=None)
    for _ in range(6):
        services.rsvp_create(event=event, member=UserFactory())
    assert RSVP.objects.active().filter(event=event).count() == 6


def test_double_rsvp_is_refused(event, member):
    services.rsvp_create(event=event, member=member)
    with pytest.raises(AlreadyRSVPd):
        services.rsvp_create(event=event, member=member)


def test_database_allows_only_one_active_rsvp_per_member(event, member):
    from django.db import IntegrityError, transaction

    RSVP.objects.create(event=event, member=member)
    with pytest.raises(IntegrityError), transaction.atomic():
        RSVP.objects.create(event=event, member=member)
    RSVP.objects.create(event=event, member=member, status=RSVPStatus.CANCELLED)


def test_rsvp_to_cancelled_past_or_closed_events_is_refused(location, member, coordinator):
    cancelled = EventFactory(location=location)
    services.event_cancel(actor=coordinator, event=cancelled, notice="Closed for repairs")
    past = EventFactory(
        location=location,
        starts_at=timezone.now() - dt.timedelta(hours=1),
        ends_at=timezone.now() + dt.timedelta(hours=1),
    )
    closed = EventFactory(location=location, rsvp_enabled=False)
    with pytest.raises(EventCancelled):
        services.rsvp_create(event=cancelled, member=member)
    with pytest.raises(EventPast):
        services.rsvp_create(event=past, member=member)
    with pytest.raises(RSVPNotOpen):
        services.rsvp_create(event=closed, member=member)


def test_cancelling_without_an_rsvp_is_refused(event, member):
    with pytest.raises(NoActiveRSVP):
        services.rsvp_cancel(event=event, member=member)


def test_cancelling_an_event_notifies_every_rsvpd_member_and_stops_reminders(
    event, member, other_member, coordinator
):
    services.rsvp_create(event=event, member=member)
    services.rsvp_create(event=event, member=other_member)
    services.rsvp_cancel(event=event, member=other_member)
    services.event_cancel(actor=coordinator, event=event, notice="The room flooded.")
    event.refresh_from_db()
    assert event.is_cancelled and event.cancellation_notice == "The room flooded."
    notices = Reminder.objects.for_target(event).filter(kind="event_cancelled")
    assert list(notices.values_list("recipient_id", flat=True)) == [member.pk]
    assert not Reminder.objects.for_target(event).filter(
        kind="event_upcoming", status=ReminderStatus.PENDING
    )


def test_cancelled_kind_is_urgent_and_not_optional():
    from peerportal.reminders.registry import get_kind

    kind = get_kind("event_cancelled")
    assert kind.urgent and not kind.optional and kind.is_notification


def test_moving_an_event_moves_the_reminders(event, member, coordinator):
    services.rsvp_create(event=event, member=member)
    new_start = event.starts_at + dt.timedelta(days=1)
    services.event_update(
        actor=coordinator,
        event=event,
        starts_at=new_start,
        ends_at=new_start + dt.timedelta(hours=2),
    )
    pending = _reminders(event, member, "event_upcoming").filter(status=ReminderStatus.PENDING)
    assert [r.due_at for r in pending] == [new_start - dt.timedelta(hours=24)]


def test_reminder_context_is_obsolete_once_the_rsvp_is_cancelled(event, member):
    from peerportal.dropin.notifications import event_upcoming_context

    services.rsvp_create(event=event, member=member)
    reminder = _reminders(event, member, "event_upcoming").get()
    context = event_upcoming_context(reminder)
    assert context["event"] == event and context["event_path"].endswith(f"/{event.pk}/")
    services.rsvp_cancel(event=event, member=member)
    assert event_upcoming_context(reminder) is None


@pytest.mark.parametrize("kind", ["event_upcoming", "event_cancelled"])
def test_emails_render_without_other_attendees(event, member, other_member, coordinator, kind):
    from django.template.loader import render_to_string

    from peerportal.core.models import Organization
    from peerportal.dropin import notifications

    services.rsvp_create(event=event, member=member)
    services.rsvp_create(event=event, member=other_member)
    if kind == "event_cancelled":
        services.event_cancel(actor=coordinator, event=event, notice="Sorry, the heating failed.")
    reminder = Reminder.objects.for_target(event).get(kind=kind, recipient=member)
    context = getattr(notifications, f"{kind}_context")(reminder)
    context.update(
        recipient=member,
        organization=Organization.get(),
        preferences_url="https://example.test/prefs",
        site_url="https://example.test",
    )
    for part in ("subject.txt", "body.txt", "body.html"):
        text = render_to_string(f"emails/{kind}_{part}", context)
        assert event.title in text or part != "subject.txt"
        assert other_member.display_name not in text
        assert other_member.email not in text
    assert "\n" not in render_to_string(f"emails/{kind}_subject.txt", context).strip()


# --- views ------------------------------------------------------------------------------


def test_member_rsvps_with_a_plain_post_and_is_redirected(member_client, member, event):
    url = reverse("dropin:rsvp-create", args=[event.pk])
    response = member_client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("dropin:event-detail", args=[event.pk])
    assert RSVP.objects.active().filter(event=event, member=member).exists()


def test_member_rsvps_with_htmx_and_gets_the_box_back(member_client, member, event):
    url = reverse("dropin:rsvp-create", args=[event.pk])
    response = member_client.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="rsvp-box"' in html and "<html" not in html
    assert "1 seat left" in html
    assert RSVP.objects.active().filter(event=event, member=member).exists()


def test_full_event_says_so_clearly(member_client, event, other_member):
    services.rsvp_create(event=event, member=other_member)
    services.rsvp_create(event=event, member=UserFactory())
    response = member_client.post(
        reverse("dropin:rsvp-create", args=[event.pk]), HTTP_HX_REQUEST="true"
    )
    assert "Sorry, this event is full." in response.content.decode()
    response = member_client.post(reverse("dropin:rsvp-create", args=[event.pk]), follow=True)
    assert "Sorry, this event is full." in response.content.decode()


def test_member_cancels_from_my_rsvps_and_returns_there(member_client, member, event):
    services.rsvp_create(event=event, member=member)
    my = reverse("dropin:rsvp-list")
    response = member_client.post(reverse("dropin:rsvp-cancel", args=[event.pk]), {"next": my})
    assert response.status_code == 302 and response["Location"] == my
    assert not RSVP.objects.active().filter(member=member).exists()


def test_rsvp_redirect_ignores_foreign_next_urls(member_client, event):
    response = member_client.post(
        reverse("dropin:rsvp-create", args=[event.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("dropin:event-detail", args=[event.pk])


def test_member_cannot_rsvp_to_an_unpublished_event(member_client, location):
    draft = EventFactory(location=location, is_published=False)
    response = member_client.post(reverse("dropin:rsvp-create", args=[draft.pk]))
    assert response.status_code == 404


def test_my_rsvps_lists_only_my_own(member_client, member, other_member, location):
    mine = EventFactory(location=location, title="Poetry evening")
    theirs = EventFactory(location=location, title="Chess club")
    services.rsvp_create(event=mine, member=member)
    services.rsvp_create(event=theirs, member=other_member)
    html = member_client.get(reverse("dropin:rsvp-list")).content.decode()
    assert "Poetry evening" in html and "Chess club" not in html


def test_event_page_never_names_other_attendees(member_client, event, other_member):
    services.rsvp_create(event=event, member=other_member)
    html = member_client.get(reverse("dropin:event-detail", args=[event.pk])).content.decode()
    assert other_member.display_name not in html
    assert "1 seat left" in html


def test_dashboard_panel_shows_my_next_rsvps(member_client, member, event):
    services.rsvp_create(event=event, member=member)
    html = member_client.get(reverse("core:dashboard")).content.decode()
    assert "My RSVPs" in html and event.title in html


def test_rsvps_are_exported_and_freed_on_erasure(member, event):
    from peerportal.accounts.erasure import user_erase
    from peerportal.accounts.export import user_data_export

    services.rsvp_create(event=event, member=member)
    assert len(user_data_export(user=member)["data"]["dropin.rsvp"]) == 1
    user_erase(user=member, actor=member)
    assert not RSVP.objects.active().filter(event=event).exists()


def test_cancellation_email_reaches_only_the_rsvpd_member(event, member, other_member, coordinator):
    from django.core import mail

    from peerportal.reminders.dispatch import dispatch_due

    services.rsvp_create(event=event, member=member)
    services.event_cancel(actor=coordinator, event=event, notice="The boiler broke.")
    mail.outbox.clear()
    dispatch_due()
    sent = [m for m in mail.outbox if event.title in m.subject]
    assert [m.to for m in sent] == [[member.email]]
    assert "The boiler broke." in sent[0].body
    assert other_member.display_name not in sent[0].body
