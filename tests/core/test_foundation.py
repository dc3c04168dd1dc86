from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
import zoneinfo

import pytest
from django.core.management import call_command
from django.urls import reverse

from peerportal.core.models import AuditEvent, Organization
from peerportal.core.recurrence import expand, weekly_rule
from tests.environment import PRODUCTION_SECRET_KEY, production_env
from tests.factories import LocationFactory, OpeningHoursFactory

NY = zoneinfo.ZoneInfo("America/New_York")


def test_healthz_reports_database_and_broker(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    assert body["broker"] in {"ok", "degraded", "embedded"}


def test_healthz_reports_an_unreachable_broker_as_degraded(client, db, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    assert client.get("/healthz").json()["broker"] == "degraded"


def test_every_page_shows_the_crisis_resources(client, db):
    org = Organization.get()
    org.crisis_resources = "Call or text 988 any time."
    org.save()
    for url in ("/", "/locations/", reverse("account_login")):
        html = client.get(url).content.decode()
        assert 'Call or text <a href="tel:988">988</a> any time.' in html, url


def test_default_crisis_resources_name_988(db):
    assert "988" in Organization.get().crisis_resources


def test_pages_load_no_inline_script_and_send_a_strict_csp(client, db):
    response = client.get("/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    html = response.content.decode()
    assert "<script>" not in html and "onclick=" not in html


def test_authenticated_pages_are_not_stored(member_client):
    response = member_client.get(reverse("core:dashboard"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_weekly_recurrence_keeps_local_time_across_dst():
    # Tuesdays at 18:00 New York time, spanning the spring (8 March) and autumn (1 November) 2026 changes.
    occurrences = expand(
        weekly_rule([1]),
        first_date=dt.date(2026, 1, 6),
        start_time=dt.time(18, 0),
        end_time=dt.time(19, 30),
        tz=NY,
        window_start=dt.datetime(2026, 2, 20, tzinfo=dt.UTC),
        window_end=dt.datetime(2026, 11, 20, tzinfo=dt.UTC),
    )
    local_starts = {o.start.astimezone(NY).time() for o in occurrences}
    assert local_starts == {dt.time(18, 0)}
    utc_hours = {o.start.hour for o in occurrences}
    assert utc_hours == {
        23,
        22,
    }  # EST (UTC-5) before 8 March and after 1 November, EDT (UTC-4) between
    assert all(o.end - o.start == dt.timedelta(minutes=90) for o in occurrences)


def test_overnight_occurrence_ends_next_day():
    (occ,) = expand(
        "FREQ=DAILY;COUNT=1",
        first_date=dt.date(2026, 3, 7),
        start_time=dt.time(22, 0),
        end_time=dt.time(2, 0),
        tz=NY,
        window_start=dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
        window_end=dt.datetime(2026, 3, 10, tzinfo=dt.UTC),
    )
    # 22:00 EST to 02:00 the next day — 4 hours of wall-clock time.
    assert occ.end - occ.start == dt.timedelta(hours=4)


def test_location_open_now_uses_the_organization_time_zone(db):
    hours = OpeningHoursFactory(weekday=0, opens=dt.time(9), closes=dt.time(17))
    location = hours.location
    # Monday 23 November 2026, 14:30 UTC = 09:30 in New York: open.
    assert location.is_open_at(dt.datetime(2026, 11, 23, 14, 30, tzinfo=dt.UTC))
    # 13:30 UTC = 08:30 in New York: not yet.
    assert not location.is_open_at(dt.datetime(2026, 11, 23, 13, 30, tzinfo=dt.UTC))


def test_location_pages_are_public(client, db):
    location = LocationFactory()
    assert client.get(reverse("core:location-detail", args=[location.pk])).status_code == 200


def test_audit_log_is_append_only(db):
    event = AuditEvent.objects.create(action="test.action")
    event.action = "changed"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().update(action="x")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()


def test_audit_retention_purges_only_old_events(db):
    old = AuditEvent.objects.create(action="old", at=dt.datetime(2010, 1, 1, tzinfo=dt.UTC))
    recent = AuditEvent.objects.create(action="recent")
    assert AuditEvent.objects.purge_older_than(365) == 1
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == [recent.pk]
    assert old.pk != recent.pk


def test_seed_demo_is_idempotent_and_logins_work(client, db):
    call_command("seed_demo", verbosity=0, stdout=io.StringIO())
    call_command("seed_demo", verbosity=0, stdout=io.StringIO())
    from peerportal.accounts.models import User
    from peerportal.core.demo import DEMO_PASSWORD, DEMO_PEOPLE, demo_email

    assert User.objects.filter(email__endswith="@demo.peerportal.test").count() == len(DEMO_PEOPLE)
    response = client.post(
        reverse("account_login"), {"login": demo_email("member"), "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("core:dashboard")).status_code == 200


def test_production_settings_refuse_to_start_without_secret_key(tmp_path):
    env = production_env(
        tmp_path,
        drop=("SECRET_KEY",),
        DATABASE_URL="postgres://peerportal@127.0.0.1:5432/peerportal",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_settings_pass_the_deploy_check(tmp_path):
    env = production_env(
        tmp_path,
        SECRET_KEY=PRODUCTION_SECRET_KEY,
        ALLOWED_HOSTS="portal.example.org",
        DATABASE_URL="postgres://peerportal@127.0.0.1:5432/peerportal",
        SITE_URL="https://portal.example.org",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dashboard_requires_login(client, db):
    response = client.get(reverse("core:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_large_seed_of_people_is_bulk_and_idempotent(db, settings, monkeypatch):
    from peerportal.accounts.models import User
    from peerportal.core import demo

    monkeypatch.setattr(demo, "LARGE_MEMBERS", 30)
    monkeypatch.setattr(demo, "LARGE_STAFF", 4)
    demo.seed_core()
    demo.seed_people()
    demo.seed_large_people()
    demo.seed_large_people()
    large = User.objects.filter(email__endswith="@large.peerportal.test")
    assert large.count() == 34
    assert large.filter(role="peer_specialist").count() == 4
    assert large.first().check_password(demo.DEMO_PASSWORD)
