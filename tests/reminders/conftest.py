"""Fixtures for the reminders tests: test-only kinds with in-memory email templates."""

from __future__ import annotations

import pytest

from tests.factories import LocationFactory

from . import kinds


@pytest.fixture(autouse=True)
def test_kinds(settings):
    settings.TEMPLATES = kinds.templates_setting(settings.TEMPLATES)
    kinds.register()
    yield kinds
    kinds.unregister()


@pytest.fixture(autouse=True)
def fresh_nudge_interval():
    """Each test starts with no nudge published in this process yet."""
    from peerportal.reminders.services import _nudge_state

    _nudge_state.reset()
    yield
    _nudge_state.reset()


@pytest.fixture
def place(db):
    return LocationFactory(name="Harbor Test Room")


@pytest.fixture
def mailbox():
    from django.core import mail

    mail.outbox = []
    return mail.outbox
