"""Personas and shared fixtures.

member, other_member, staff, other_staff, supervisor (supervises staff), coordinator, and
anonymous; each ``*_client`` is a test client signed in as that persona. Supervisors and
coordinators have an authenticator, as the MFA rule requires.
"""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import (
    CoordinatorFactory,
    StaffFactory,
    SupervisorFactory,
    UserFactory,
    with_totp,
)

pytest_plugins = ["tests.clock"]  # --clock INSTANT: the whole run at a chosen instant


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request in Spanish leaves Spanish active
    in the thread (LocaleMiddleware activates, nothing deactivates), and a later test that
    checks a message without a request of its own would otherwise read it in Spanish."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def member(db):
    return UserFactory(display_name="Member Maple")


@pytest.fixture
def other_member(db):
    return UserFactory(display_name="Member Birch")


@pytest.fixture
def supervisor(db):
    return with_totp(SupervisorFactory(display_name="Supervisor Cedar"))


@pytest.fixture
def staff(db, supervisor):
    return StaffFactory(display_name="Staff Willow", supervisor=supervisor)


@pytest.fixture
def other_staff(db):
    return StaffFactory(display_name="Staff Aspen")


@pytest.fixture
def coordinator(db):
    return with_totp(CoordinatorFactory(display_name="Coordinator Oak"))


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def anonymous_client():
    return Client()


@pytest.fixture
def member_client(member):
    return _client_for(member)


@pytest.fixture
def other_member_client(other_member):
    return _client_for(other_member)


@pytest.fixture
def staff_client(staff):
    return _client_for(staff)


@pytest.fixture
def other_staff_client(other_staff):
    return _client_for(other_staff)


@pytest.fixture
def supervisor_client(supervisor):
    return _client_for(supervisor)


@pytest.fixture
def coordinator_client(coordinator):
    return _client_for(coordinator)


PERSONAS = ("member", "staff", "supervisor", "coordinator")


@pytest.fixture
def persona_clients(member_client, staff_client, supervisor_client, coordinator_client):
    return {
        "member": member_client,
        "staff": staff_client,
        "supervisor": supervisor_client,
        "coordinator": coordinator_client,
    }


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgres`` need real row locks and threads: they run in CI (PostgreSQL)."""
    import os

    if os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql")):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL); runs in CI")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)
