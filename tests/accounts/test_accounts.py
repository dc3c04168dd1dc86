from __future__ import annotations

import time

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from peerportal.accounts import services
from peerportal.accounts.models import Role, User
from peerportal.core.models import AuditEvent
from tests.factories import (
    TEST_PASSWORD,
    CoordinatorFactory,
    StaffFactory,
    SupervisorFactory,
    UserFactory,
    with_totp,
)


def test_signup_requires_email_verification_and_keeps_the_pseudonym(client, db):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "newcomer@example.test",
            "display_name": "Moonbeam",
            "pronouns": "they/them",
            "password1": "a-long-enough-passphrase",
            "password2": "a-long-enough-passphrase",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="newcomer@example.test")
    assert user.display_name == "Moonbeam"
    assert user.role == Role.MEMBER
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    # Not verified yet: the dashboard is not reachable.
    assert client.get(reverse("core:dashboard")).status_code == 302


def test_login_is_by_email(client, member):
    response = client.post(
        reverse("account_login"), {"login": member.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("core:dashboard")).status_code == 200


def test_the_session_recorded_at_login_is_not_recorded_again_on_the_next_page(client, member):
    """allauth records the session ("last seen") as the login happens; the first page after
    it does not write that record a second time."""
    from allauth.usersessions.models import UserSession
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.post(reverse("account_login"), {"login": member.email, "password": TEST_PASSWORD})
    recorded = UserSession.objects.get(user=member)
    assert recorded.session_key == client.session.session_key
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("core:dashboard")).status_code == 200
    assert not [q for q in ctx.captured_queries if "usersessions_usersession" in q["sql"]]


@pytest.mark.clock()  # allauth counts failures per time window: no window may end mid-test
def test_failed_logins_are_rate_limited(client, member):
    for _ in range(5):
        client.post(reverse("account_login"), {"login": member.email, "password": "wrong"})
    # Even the right password is refused until the limit has passed.
    response = client.post(
        reverse("account_login"), {"login": member.email, "password": TEST_PASSWORD}
    )
    assert response.status_code in (200, 429)
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("factory", [SupervisorFactory, CoordinatorFactory])
def test_supervisors_and_coordinators_without_mfa_are_sent_to_set_it_up(client, db, factory):
    user = factory()
    client.force_login(user)
    for url in (
        reverse("core:dashboard"),
        reverse("core:location-list"),
        reverse("accounts:profile"),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("mfa_activate_totp"), url


def test_with_mfa_a_supervisor_reaches_the_dashboard(supervisor_client):
    assert supervisor_client.get(reverse("core:dashboard")).status_code == 200


def _mfa_queries(client) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("core:dashboard"))
    return response, [q["sql"] for q in ctx.captured_queries if "mfa_authenticator" in q["sql"]]


def test_mfa_is_checked_when_the_activity_stamp_moves_not_on_every_page(
    supervisor_client, supervisor
):
    """The authenticator check rides on the once-a-minute activity write: one query a
    minute instead of one a page; an authenticator deleted behind the session's back (in
    the admin) is noticed within that minute."""
    from allauth.mfa.models import Authenticator

    from peerportal.accounts.middleware import ACTIVITY_WRITE_EVERY, LAST_ACTIVITY_KEY

    response, queries = _mfa_queries(supervisor_client)
    assert response.status_code == 200 and queries  # the first page checks
    response, queries = _mfa_queries(supervisor_client)
    assert response.status_code == 200 and queries == []
    Authenticator.objects.filter(user=supervisor).delete()
    response, queries = _mfa_queries(supervisor_client)
    assert response.status_code == 200 and queries == []
    stamp = supervisor_client.session[LAST_ACTIVITY_KEY]
    with time_machine.travel(time.time() + ACTIVITY_WRITE_EVERY, tick=False):
        response, queries = _mfa_queries(supervisor_client)
    assert supervisor_client.session[LAST_ACTIVITY_KEY] > stamp
    assert queries
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_removing_ones_own_authenticator_is_felt_on_the_next_page(supervisor_client, supervisor):
    from allauth.mfa.models import Authenticator
    from allauth.mfa.signals import authenticator_removed
    from django.test import RequestFactory

    assert supervisor_client.get(reverse("core:dashboard")).status_code == 200
    authenticator = Authenticator.objects.get(user=supervisor)
    request = RequestFactory().post("/accounts/2fa/totp/deactivate")
    request.user = supervisor
    request.session = supervisor_client.session
    authenticator.delete()
    authenticator_removed.send(
        sender=Authenticator, request=request, user=supervisor, authenticator=authenticator
    )
    request.session.save()
    response = supervisor_client.get(reverse("core:dashboard"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_staff_and_members_do_not_need_mfa(staff_client, member_client):
    assert staff_client.get(reverse("core:dashboard")).status_code == 200
    assert member_client.get(reverse("core:dashboard")).status_code == 200


def test_admin_login_goes_through_allauth(client, db):
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    # Posting credentials straight to the admin form does not log anyone in.
    coordinator = with_totp(CoordinatorFactory())
    client.post("/admin/login/", {"username": coordinator.email, "password": TEST_PASSWORD})
    assert "_auth_user_id" not in client.session


def test_admin_without_mfa_sends_a_coordinator_to_mfa_setup(client, db):
    coordinator = CoordinatorFactory()
    client.force_login(coordinator)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_coordinator_changes_a_role_and_it_is_audited(
    coordinator_client, coordinator, member, supervisor
):
    url = reverse("accounts:person-role-edit", args=[member.pk])
    response = coordinator_client.post(
        url, {"role": Role.PEER_SPECIALIST, "supervisor": supervisor.pk}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.role == Role.PEER_SPECIALIST
    assert member.supervisor == supervisor
    event = AuditEvent.objects.get(action="user.role_change")
    assert event.actor_id == coordinator.pk
    assert event.object_id == str(member.pk)
    assert event.extra["to"] == Role.PEER_SPECIALIST
    # No names or emails in the audit row.
    assert member.display_name not in str(event.extra) and member.email not in str(event.extra)


def test_a_member_cannot_become_their_own_supervisor(coordinator, db):
    supervisor = SupervisorFactory()
    with pytest.raises(services.AccountError):
        services.user_set_role(
            actor=coordinator, user=supervisor, role=Role.SUPERVISOR, supervisor=supervisor
        )


def test_only_coordinators_change_roles(supervisor, member):
    with pytest.raises(services.AccountError):
        services.user_set_role(actor=supervisor, user=member, role=Role.COORDINATOR)


def test_role_form_rejects_a_supervisor_who_is_not_a_supervisor(
    coordinator_client, member, other_member
):
    url = reverse("accounts:person-role-edit", args=[member.pk])
    response = coordinator_client.post(
        url, {"role": Role.PEER_SPECIALIST, "supervisor": other_member.pk}
    )
    assert response.status_code == 200
    assert "supervisor" in response.context["form"].errors


def test_people_page_is_for_coordinators(member_client, supervisor_client, coordinator_client):
    url = reverse("accounts:people-list")
    assert member_client.get(url).status_code == 403
    assert supervisor_client.get(url).status_code == 403
    assert coordinator_client.get(url).status_code == 200


def test_people_page_paginates_and_filters(coordinator_client, db):
    StaffFactory.create_batch(3, display_name="Findable Fern")
    UserFactory.create_batch(35)
    response = coordinator_client.get(reverse("accounts:people-list"), {"q": "Fern"})
    assert len(response.context["page"].object_list) == 3
    response = coordinator_client.get(reverse("accounts:people-list"))
    assert response.context["page"].paginator.num_pages >= 2


def test_profile_saves_and_rejects_unknown_time_zones(member_client, member):
    url = reverse("accounts:profile")
    response = member_client.post(
        url,
        {
            "display_name": "Fern",
            "pronouns": "",
            "preferred_language": "es",
            "time_zone": "Mars/Base",
        },
    )
    assert response.status_code == 200
    assert "time_zone" in response.context["form"].errors
    response = member_client.post(
        url,
        {
            "display_name": "Fern",
            "pronouns": "",
            "preferred_language": "es",
            "time_zone": "Europe/Madrid",
        },
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.display_name, member.time_zone, member.preferred_language) == (
        "Fern",
        "Europe/Madrid",
        "es",
    )


def test_rotating_the_feed_token_revokes_the_old_one(member_client, member):
    old = services.feed_token_for(user=member).token
    assert services.user_for_feed_token(old) == member
    member_client.post(reverse("accounts:feed-token-rotate"))
    assert services.user_for_feed_token(old) is None
    assert services.user_for_feed_token(services.feed_token_for(user=member).token) == member


def test_the_feed_token_value_is_made_once_and_follows_rotation(member_client, member):
    from peerportal.accounts.models import FeedToken

    assert not FeedToken.objects.filter(user=member).exists()
    first = services.feed_token_value(user=member)  # made on first need
    assert FeedToken.objects.get(user=member).token == first
    assert services.feed_token_value(user=member) == first
    assert first in member_client.get(reverse("groups:booking-list")).content.decode()
    member_client.post(reverse("accounts:feed-token-rotate"))
    rotated = services.feed_token_value(user=member)
    assert rotated != first and services.user_for_feed_token(rotated) == member
    assert FeedToken.objects.filter(user=member).count() == 1


def test_staff_are_signed_out_after_idle_timeout(staff_client, settings):
    settings.STAFF_IDLE_TIMEOUT = 60
    assert staff_client.get(reverse("core:dashboard")).status_code == 200
    session = staff_client.session
    session["_last_activity"] = int(time.time()) - 120
    session.save()
    response = staff_client.get(reverse("core:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_activity_is_written_to_the_session_at_most_every_minute(staff_client, staff):
    """Activity and "last seen" cost no write per page view, yet stay fresh to the minute."""
    from allauth.usersessions.models import UserSession
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from peerportal.accounts.middleware import LAST_ACTIVITY_KEY, SEEN_KEY

    def writes() -> list[str]:
        with CaptureQueriesContext(connection) as ctx:
            assert staff_client.get(reverse("core:dashboard")).status_code == 200
        return [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("UPDATE")]

    writes()  # the first request records the session
    assert writes() == []
    session = staff_client.session
    session[LAST_ACTIVITY_KEY] -= 61
    session[SEEN_KEY] -= 301
    session.save()
    before = UserSession.objects.get(user=staff).last_seen_at
    done = writes()
    assert any('"django_session"' in q for q in done)
    assert any('"usersessions_usersession"' in q for q in done)
    assert UserSession.objects.get(user=staff).last_seen_at > before
    assert staff_client.session[LAST_ACTIVITY_KEY] >= int(time.time()) - 1


def test_user_str_is_the_display_name_never_the_email(member):
    assert str(member) == member.display_name


def test_mfa_code_fields_ask_for_the_numeric_keypad(client, db):
    """Field report §4: the code field opens a numeric keypad and accepts autofill."""
    supervisor = with_totp(SupervisorFactory())
    response = client.post(
        reverse("account_login"), {"login": supervisor.email, "password": TEST_PASSWORD}
    )
    assert response["Location"] == reverse("mfa_authenticate")
    html = client.get(reverse("mfa_authenticate")).content.decode()
    assert 'inputmode="numeric"' in html
    assert 'autocomplete="one-time-code"' in html

    # Setting up an authenticator uses the same field (its page first asks to reauthenticate).
    from allauth.mfa import app_settings
    from allauth.mfa.totp.forms import ActivateTOTPForm
    from allauth.utils import get_form_class

    from peerportal.accounts.mfa_forms import NumericActivateTOTPForm

    form_class = get_form_class(app_settings.FORMS, "activate_totp", ActivateTOTPForm)
    assert form_class is NumericActivateTOTPForm  # the same mixin as the page above
