"""Sessions, audit search, rate limits."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from peerportal.core import ratelimit
from peerportal.core.models import AuditEvent
from peerportal.core.tasks import audit_purge_expired
from tests.factories import TEST_PASSWORD


def _login(member) -> Client:
    client = Client()
    response = client.post(
        reverse("account_login"), {"login": member.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    return client


def test_a_session_cookie_replayed_after_logout_is_anonymous(member):
    client = _login(member)
    cookie = client.cookies["sessionid"].value
    client.post(reverse("account_logout"))
    replay = Client()
    replay.cookies["sessionid"] = cookie
    response = replay.get(reverse("core:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_changing_the_password_ends_other_sessions(member):
    laptop = _login(member)
    phone = _login(member)
    response = laptop.post(
        reverse("account_change_password"),
        {
            "oldpassword": TEST_PASSWORD,
            "password1": "a-new-long-passphrase",
            "password2": "a-new-long-passphrase",
        },
    )
    assert response.status_code == 302
    assert phone.get(reverse("core:dashboard")).status_code == 302


def test_sessions_end_after_their_absolute_lifetime(member_client, settings):
    settings.SESSION_ABSOLUTE_LIFETIME = 3600
    assert member_client.get(reverse("core:dashboard")).status_code == 200
    session = member_client.session
    session["_login_at"] = int(time.time()) - 7200
    session.save()
    assert member_client.get(reverse("core:dashboard")).status_code == 302


def test_coordinators_search_the_audit_log(coordinator_client, coordinator, member):
    AuditEvent.objects.create(
        actor=coordinator, action="booking.create", object_type="groups.booking", object_id="7"
    )
    AuditEvent.objects.create(
        actor=coordinator, action="user.role_change", object_type="accounts.user", object_id="8"
    )
    response = coordinator_client.get(reverse("core:audit-list"), {"action": "booking"})
    assert response.status_code == 200
    assert [e.action for e in response.context["page"]] == ["booking.create"]


def test_only_coordinators_see_the_audit_log(member_client, staff_client, supervisor_client):
    for client in (member_client, staff_client, supervisor_client):
        assert client.get(reverse("core:audit-list")).status_code == 403


def test_audit_retention_task_runs(db, settings):
    settings.AUDIT_RETENTION_DAYS = 1
    # Well past the retention period whatever today is (no year arithmetic: 29 February).
    AuditEvent.objects.create(action="ancient", at=timezone.now() - dt.timedelta(days=30))
    assert audit_purge_expired.delay().get() == 1


@pytest.mark.clock()  # the counts are per minute: no minute may pass mid-test
def test_rate_limit_counts_per_account(db):
    assert all(ratelimit.hit("booking", "42", "3/m") for _ in range(3))
    assert not ratelimit.hit("booking", "42", "3/m")
    assert ratelimit.hit("booking", "43", "3/m")


@pytest.mark.clock()  # the counts are per minute: no minute may pass mid-test
def test_rate_limit_on_redis_keeps_the_count_where_add_and_incr_kept_it(db, settings):
    """With the Redis cache the count is one pipelined SET NX + INCR: same key, same
    integer value, same expiry as ``cache.add`` then ``cache.incr``."""
    import os

    from django.core.cache import caches

    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("needs REDIS_URL")
    settings.CACHES = {
        "default": {
            "BACKEND": "peerportal.core.cache.ReusingRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "pp-test-ratelimit",
        }
    }
    scope = f"t{time.time_ns()}"
    assert [ratelimit.hit(scope, "42", "3/m") for _ in range(4)] == [True, True, True, False]
    cache_key = f"rl:{scope}:42:{int(time.time()) // 60}"
    backend = caches["default"]
    assert backend.get(cache_key) == 4
    assert backend.incr(cache_key) == 5  # Django's own incr reads the same integer
    key = backend.make_and_validate_key(cache_key)
    assert 0 < backend._cache.get_client(key).ttl(key) <= 61
    backend.delete(cache_key)


@pytest.mark.clock()  # the counts are per minute: no minute may pass mid-test
def test_rate_limited_view_answers_429(rf, member):
    from django.http import HttpResponse

    @ratelimit.ratelimit("test", rate="2/m")
    def view(request):
        return HttpResponse("ok")

    request = rf.post("/")
    request.user = member
    assert [view(request).status_code for _ in range(3)] == [200, 200, 429]


def test_audit_log_shows_readable_people_objects_and_details(
    coordinator_client, coordinator, staff, supervisor
):
    """Field report §5: names and labels are resolved as the page is shown; the stored
    event keeps ids only."""
    AuditEvent.objects.create(
        actor=coordinator,
        action="user.role_change",
        object_type="accounts.user",
        object_id=str(staff.pk),
        extra={"from": "member", "to": "peer_specialist", "supervisor_id": supervisor.pk},
    )
    AuditEvent.objects.create(
        actor=supervisor,
        action="training_record.approved",
        object_type="certification.trainingrecord",
        object_id="12",
        extra={"review_id": 5, "kinds": ["a", "b"]},
    )
    AuditEvent.objects.create(action="reminders.scan", extra={})
    response = coordinator_client.get(reverse("core:audit-list"))
    html = response.content.decode()
    assert f"Coordinator Oak (#{coordinator.pk})" in html
    assert f"Staff Willow (#{staff.pk})" in html
    assert f"Supervisor: Supervisor Cedar (#{supervisor.pk})" in html
    assert "Training record #12" in html
    assert "Review: #5" in html and "Kinds: a, b" in html
    assert "To: peer_specialist" in html
    assert "{&#x27;" not in html and "{'" not in html  # no Python dictionaries
    assert "system" in html
    stored = AuditEvent.objects.get(action="user.role_change")
    assert "Willow" not in str(stored.extra) and stored.object_id == str(staff.pk)
