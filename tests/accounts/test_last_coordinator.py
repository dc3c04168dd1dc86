"""The last active coordinator can't lose the role, be erased or be deactivated (H2)."""

from __future__ import annotations

import threading
import time

import pytest
from django.contrib.admin.sites import AdminSite
from django.db import connection
from django.urls import reverse

from peerportal.accounts import services
from peerportal.accounts.admin import PersonChangeForm, UserAdmin
from peerportal.accounts.erasure import user_erase
from peerportal.accounts.models import Role, User
from tests.factories import TEST_PASSWORD, CoordinatorFactory, UserFactory


@pytest.mark.django_db
def test_the_only_coordinator_cannot_demote_themself_on_the_people_page(
    coordinator, coordinator_client
):
    url = reverse("accounts:person-role-edit", args=[coordinator.pk])
    response = coordinator_client.post(url, {"role": Role.MEMBER})
    assert response.status_code == 200
    assert "last active coordinator" in str(response.context["form"].errors["role"])
    coordinator.refresh_from_db()
    assert coordinator.role == Role.COORDINATOR
    assert coordinator.is_staff


@pytest.mark.django_db
def test_a_coordinator_can_step_down_when_another_remains(coordinator, coordinator_client):
    other = CoordinatorFactory()
    url = reverse("accounts:person-role-edit", args=[coordinator.pk])
    response = coordinator_client.post(url, {"role": Role.MEMBER})
    assert response.status_code == 302
    coordinator.refresh_from_db()
    assert coordinator.role == Role.MEMBER
    other.refresh_from_db()
    assert other.role == Role.COORDINATOR


@pytest.mark.django_db
def test_the_service_refuses_the_last_coordinator_without_the_form(coordinator):
    with pytest.raises(services.LastCoordinator):
        services.user_set_role(actor=coordinator, user=coordinator, role=Role.SUPERVISOR)
    coordinator.refresh_from_db()
    assert coordinator.role == Role.COORDINATOR


@pytest.mark.django_db
def test_an_inactive_coordinator_does_not_count(coordinator):
    CoordinatorFactory(is_active=False)
    with pytest.raises(services.LastCoordinator):
        services.user_set_role(actor=coordinator, user=coordinator, role=Role.MEMBER)


@pytest.mark.django_db
def test_the_last_coordinator_cannot_delete_their_account(coordinator, coordinator_client):
    url = reverse("accounts:account-delete")
    response = coordinator_client.post(url, {"password": TEST_PASSWORD, "confirm": "on"})
    assert response.status_code == 200
    assert "last active coordinator" in " ".join(response.context["form"].non_field_errors())
    coordinator.refresh_from_db()
    assert coordinator.is_active and coordinator.erased_at is None


@pytest.mark.django_db
def test_erasure_service_refuses_the_last_coordinator(coordinator):
    with pytest.raises(services.LastCoordinator):
        user_erase(user=coordinator)
    coordinator.refresh_from_db()
    assert coordinator.is_active and coordinator.erased_at is None


@pytest.mark.django_db
def test_a_member_can_still_delete_their_account_with_no_coordinator_at_all():
    member = UserFactory()
    user_erase(user=member)
    member.refresh_from_db()
    assert not member.is_active


@pytest.mark.django_db
def test_the_last_coordinator_cannot_be_deactivated(coordinator):
    with pytest.raises(services.LastCoordinator):
        services.user_set_active(actor=coordinator, user=coordinator, is_active=False)
    coordinator.refresh_from_db()
    assert coordinator.is_active
    second = CoordinatorFactory()
    services.user_set_active(actor=coordinator, user=second, is_active=False)
    second.refresh_from_db()
    assert not second.is_active


@pytest.mark.django_db
def test_the_admin_form_refuses_to_demote_or_deactivate_the_last_coordinator(coordinator):
    base = {
        "email": coordinator.email,
        "display_name": coordinator.display_name,
        "preferred_language": "en",
        "date_joined": "2026-01-01 00:00:00",
    }
    for change in ({"role": Role.MEMBER, "is_active": "on"}, {"role": Role.COORDINATOR}):
        form = PersonChangeForm(data={**base, **change}, instance=coordinator)
        assert not form.is_valid()
        assert "last active coordinator" in " ".join(form.non_field_errors())
    coordinator.refresh_from_db()
    assert coordinator.role == Role.COORDINATOR and coordinator.is_active


@pytest.mark.django_db
def test_the_admin_cannot_hard_delete_accounts(rf, coordinator):
    request = rf.get("/")
    request.user = coordinator
    assert UserAdmin(User, AdminSite()).has_delete_permission(request, coordinator) is False


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_coordinators_demoting_each_other_at_once_leave_one(monkeypatch):
    """Checked by hand: without ``select_for_update()`` in ``active_coordinators_locked``
    both demotions succeed and nobody is left; with the lock exactly one does."""
    first, second = CoordinatorFactory(), CoordinatorFactory()
    original = services.active_coordinators_locked

    def slow_lock():
        ids = original()
        time.sleep(0.2)  # widen the window between "count coordinators" and "save"
        return ids

    monkeypatch.setattr(services, "active_coordinators_locked", slow_lock)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    guard = threading.Lock()

    def demote(actor, user):
        try:
            barrier.wait()
            services.user_set_role(actor=actor, user=user, role=Role.MEMBER)
            result = "ok"
        except services.AccountError:
            result = "refused"
        except Exception as exc:  # noqa: BLE001 — reported below
            result = f"error: {exc!r}"
        finally:
            connection.close()
        with guard:
            outcomes.append(result)

    threads = [
        threading.Thread(target=demote, args=(first, second)),
        threading.Thread(target=demote, args=(second, first)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(outcomes) == ["ok", "refused"], outcomes
    assert User.objects.filter(role=Role.COORDINATOR, is_active=True).count() == 1


@pytest.mark.django_db
def test_profile_form_refuses_an_unknown_time_zone_and_changes_nothing(member, member_client):
    response = member_client.post(
        reverse("accounts:profile"),
        {"display_name": "New Name", "preferred_language": "en", "time_zone": "Mars/Olympus"},
    )
    assert response.status_code == 200
    # The field is a list of real zones: anything else is not one of its choices.
    assert "Mars/Olympus is not one of the available choices" in str(
        response.context["form"].errors["time_zone"]
    )
    member.refresh_from_db()
    assert member.display_name == "Member Maple" and member.time_zone == ""
