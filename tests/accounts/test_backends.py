"""The backends read the signed-in person with a prepared statement; everything else about
signing in, and the checks on each request, stay Django's and allauth's."""

from __future__ import annotations

import pytest
from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.conf import settings
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.urls import reverse

from peerportal.accounts import backends
from peerportal.accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_settings_use_these_backends_in_place_of_djangos_and_allauths():
    assert settings.AUTHENTICATION_BACKENDS == [
        "peerportal.accounts.backends.ModelBackend",
        "peerportal.accounts.backends.AuthenticationBackend",
    ]
    assert issubclass(backends.ModelBackend, DjangoModelBackend)
    assert issubclass(backends.AuthenticationBackend, AllauthBackend)


def test_the_prepared_read_gives_the_user_the_orm_gives(django_assert_num_queries):
    supervisor = UserFactory(role="supervisor")
    person = UserFactory(supervisor=supervisor, pronouns="they/them", preferred_language="es")
    expected = User.objects.get(pk=person.pk)
    with django_assert_num_queries(1):
        loaded = backends.user_by_pk(person.pk)
    fields = [f.attname for f in User._meta.concrete_fields]
    assert [getattr(loaded, f) for f in fields] == [getattr(expected, f) for f in fields]
    assert loaded.date_joined.tzinfo is not None
    assert not loaded._state.adding and loaded._state.db == "default"
    assert backends.user_by_pk(person.pk + 10_000) is None


@pytest.mark.parametrize("backend", [backends.ModelBackend(), backends.AuthenticationBackend()])
def test_get_user_refuses_inactive_missing_and_junk_ids(backend):
    active, inactive = UserFactory(), UserFactory(is_active=False)
    assert backend.get_user(active.pk) == active
    assert backend.get_user(str(active.pk)) == active
    assert backend.get_user(inactive.pk) is None
    assert backend.get_user(active.pk + 10_000) is None
    assert backend.get_user("not a number") is None


def test_a_session_whose_password_changed_is_signed_out(client):
    person = UserFactory(role="member")
    client.force_login(person)
    page = reverse("groups:booking-list")
    assert client.get(page).status_code == 200
    person.set_password("a-new-Passphrase-2026")
    person.save(update_fields=["password"])
    response = client.get(page)
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_signing_in_with_a_password_records_this_backend(client):
    person = UserFactory(role="member")
    person.set_password("Harbor-Lantern-2026")
    person.save(update_fields=["password"])
    response = client.post(
        reverse("account_login"), {"login": person.email, "password": "Harbor-Lantern-2026"}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_backend"] in settings.AUTHENTICATION_BACKENDS
    assert client.get(reverse("groups:booking-list")).status_code == 200
