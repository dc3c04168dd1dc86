"""The session engine writes a changed session in one statement and keeps Django's rules."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.sessions.backends.base import CreateError, UpdateError
from django.contrib.sessions.models import Session
from django.core.cache import caches

from peerportal.accounts.sessions import SessionStore

pytestmark = pytest.mark.django_db


def _saved_session(**data) -> SessionStore:
    store = SessionStore()
    store.update(data)
    store.create()
    return store


def test_the_settings_use_this_engine():
    assert settings.SESSION_ENGINE == "peerportal.accounts.sessions"


def test_a_changed_session_is_one_update_statement_to_the_database_and_the_cache(
    django_assert_num_queries,
):
    store = _saved_session(theme="calm")
    store["note"] = "booked"
    # Django's store would take a savepoint around it (three statements here).
    with django_assert_num_queries(1) as ctx:
        store.save()
    assert ctx.captured_queries[0]["sql"].startswith("UPDATE")

    caches[settings.SESSION_CACHE_ALIAS].clear()  # read back from the database
    again = SessionStore(store.session_key)
    assert again["note"] == "booked" and again["theme"] == "calm"
    row = Session.objects.get(session_key=store.session_key)
    assert row.expire_date == again.get_expiry_date(expiry=row.expire_date)

    cached = SessionStore(store.session_key)  # and from the cache, with no query
    with django_assert_num_queries(0):
        assert cached["note"] == "booked"


def test_the_expiry_is_written_with_the_data():
    store = _saved_session(a=1)
    store.set_expiry(600)
    store.save()
    row = Session.objects.get(session_key=store.session_key)
    assert abs((row.expire_date - store.get_expiry_date()).total_seconds()) < 5


def test_a_session_deleted_meanwhile_is_not_written_back():
    """Signed out in another tab: as with Django's store, the write is refused (the
    session middleware then answers that the session was interrupted)."""
    store = _saved_session(a=1)
    Session.objects.filter(session_key=store.session_key).delete()
    store["b"] = 2
    with pytest.raises(UpdateError):
        store.save()
    assert not Session.objects.filter(session_key=store.session_key).exists()


def test_creating_keeps_djangos_duplicate_key_check():
    store = _saved_session(a=1)
    twin = SessionStore(store.session_key)
    twin["b"] = 2
    with pytest.raises(CreateError):
        twin.save(must_create=True)


def test_a_new_store_without_a_key_creates_its_row():
    store = SessionStore()
    store["a"] = 1
    store.save()
    assert Session.objects.filter(session_key=store.session_key).exists()
