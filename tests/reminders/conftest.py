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


@pytest.fixture
def place(db):
    return LocationFactory(name="Harbor Test Room")


@pytest.fixture
def mailbox():
    from django.core import mail

    mail.outbox = []
    return mail.outbox
