"""Reminder emails come from the organization (DEFAULT_FROM_EMAIL with its name)."""

from __future__ import annotations

import pytest

from peerportal.core.models import Organization
from peerportal.reminders import dispatch

from .factories import ReminderFactory

pytestmark = pytest.mark.django_db


def test_reminders_are_sent_in_the_organizations_name(place, mailbox, settings):
    settings.DEFAULT_FROM_EMAIL = "no-reply@peerportal.localhost"
    org = Organization.get()
    org.name = "Harbor Light Peer Collective"
    org.save()
    ReminderFactory(target=place)
    assert dispatch.dispatch_due() == 1
    assert mailbox[0].from_email == "Harbor Light Peer Collective <no-reply@peerportal.localhost>"


def test_a_sender_with_its_own_name_is_kept(place, mailbox, settings):
    settings.DEFAULT_FROM_EMAIL = "Harbor Light <hello@harbor.example.org>"
    ReminderFactory(target=place)
    dispatch.dispatch_due()
    assert mailbox[0].from_email == "Harbor Light <hello@harbor.example.org>"
