"""A new confirmation link for people whose first one never arrived, without revealing accounts."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "accounts:verification-resend"
SAME_ANSWER = "If an account is waiting for confirmation at that address"


@pytest.fixture
def waiting(db):
    return UserFactory(email="waiting@example.test", verified_email=False)


def _unverified(user):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    return user


def test_a_waiting_account_gets_a_new_link(client, waiting):
    _unverified(waiting)
    response = client.post(reverse(URL), {"email": "Waiting@Example.test"}, follow=True)
    assert SAME_ANSWER in response.content.decode()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["waiting@example.test"]
    assert "/accounts/confirm-email/" in mail.outbox[0].body


def test_asking_again_at_once_sends_nothing_more(client, waiting):
    _unverified(waiting)
    client.post(reverse(URL), {"email": "waiting@example.test"})
    client.post(reverse(URL), {"email": "waiting@example.test"})
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("email", ["nobody@example.test", "verified@example.test"])
def test_unknown_or_confirmed_addresses_get_the_same_answer_and_no_email(client, email):
    UserFactory(email="verified@example.test")
    response = client.post(reverse(URL), {"email": email}, follow=True)
    assert SAME_ANSWER in response.content.decode()
    assert mail.outbox == []


def test_a_bad_address_gets_a_clear_message_and_sends_nothing(client, waiting):
    _unverified(waiting)
    response = client.post(reverse(URL), {"email": "not an address"})
    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()
    assert mail.outbox == []


def test_the_check_your_email_page_offers_to_send_the_link_again(client):
    client.post(
        reverse("account_signup"),
        {
            "email": "fresh@example.test",
            "display_name": "Fern",
            "password1": "a-long-enough-passphrase",
            "password2": "a-long-enough-passphrase",
        },
        follow=True,
    )
    html = client.get(reverse("account_email_verification_sent")).content.decode()
    assert reverse(URL) in html
