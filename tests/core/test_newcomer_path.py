"""The newcomer's first hour: `make run` serves where README and SITE_URL say, with debug off
(friendly error pages), and every email names the organization and comes from its sender."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse

from peerportal.core import errors
from peerportal.core.models import Organization

ROOT = Path(__file__).resolve().parents[2]
RUN_ADDRESS = "http://127.0.0.1:8000"

_SETTINGS_PROBE = """
import json
from django.conf import settings
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "SITE_URL": settings.SITE_URL,
    "SECRET_KEY": settings.SECRET_KEY,
    "SECURE_SSL_REDIRECT": getattr(settings, "SECURE_SSL_REDIRECT", False),
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
    "ACCOUNT_DEFAULT_HTTP_PROTOCOL": settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL,
    "STATIC": settings.STORAGES["staticfiles"]["BACKEND"],
    "WHITENOISE_USE_FINDERS": settings.WHITENOISE_USE_FINDERS,
    "ALLOWED_HOSTS": settings.ALLOWED_HOSTS,
    "DEFAULT_FROM_EMAIL": settings.DEFAULT_FROM_EMAIL,
}))
"""


def _settings_with(tmp_path, **env) -> dict:
    """The real settings module as a fresh process sees it, with only ``env`` set."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in (
            "DATABASE_URL",
            "SECRET_KEY",
            "DJANGO_DEBUG",
            "SITE_URL",
            "DEFAULT_FROM_EMAIL",
            "CELERY_BROKER_URL",
            "REDIS_URL",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        )
    }
    clean.update(PEERPORTAL_VAR_DIR=str(tmp_path), **env)
    code = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='peerportal.settings'; "
    code += "django.setup()\n" + _SETTINGS_PROBE
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_local_run_has_debug_off_plain_http_and_a_kept_random_secret(tmp_path):
    first = _settings_with(tmp_path)
    assert first["DEBUG"] is False
    assert first["SITE_URL"] == RUN_ADDRESS
    assert first["SECURE_SSL_REDIRECT"] is False and first["SESSION_COOKIE_SECURE"] is False
    assert first["ACCOUNT_DEFAULT_HTTP_PROTOCOL"] == "http"
    assert "127.0.0.1" in first["ALLOWED_HOSTS"]
    # Static files come from the source folders through WhiteNoise: no collectstatic needed.
    assert first["WHITENOISE_USE_FINDERS"] is True
    assert "Manifest" not in first["STATIC"]
    # A random key, made once and kept, never the published development key.
    assert "insecure" not in first["SECRET_KEY"] and len(first["SECRET_KEY"]) >= 40
    assert (tmp_path / "secret_key").read_text().strip() == first["SECRET_KEY"]
    assert _settings_with(tmp_path)["SECRET_KEY"] == first["SECRET_KEY"]


def test_debug_only_on_explicit_request(tmp_path):
    assert _settings_with(tmp_path, DJANGO_DEBUG="1")["DEBUG"] is True


def test_a_deployment_keeps_https_only_settings(tmp_path):
    deployed = _settings_with(
        tmp_path,
        DATABASE_URL="postgres://peerportal@127.0.0.1:5432/peerportal",
        SECRET_KEY="a-long-random-production-secret-" + "k" * 40,
        SITE_URL="https://portal.example.org",
    )
    assert deployed["DEBUG"] is False
    assert deployed["SECURE_SSL_REDIRECT"] is True and deployed["SESSION_COOKIE_SECURE"] is True
    assert deployed["ACCOUNT_DEFAULT_HTTP_PROTOCOL"] == "https"
    assert "Manifest" in deployed["STATIC"]


def test_make_run_procfile_readme_and_site_url_agree_on_one_address(tmp_path):
    makefile = (ROOT / "Makefile").read_text()
    procfile = (ROOT / "Procfile.dev").read_text()
    readme = (ROOT / "README.md").read_text()
    port = re.search(r"^PORT \?= (\d+)$", makefile, re.M).group(1)
    assert "honcho start -f Procfile.dev --port $(PORT)" in makefile
    assert "run: export SITE_URL ?= http://127.0.0.1:$(PORT)" in makefile
    assert re.search(r"^web: .*runserver 127\.0\.0\.1:\$\{PORT:-(\d+)\}", procfile, re.M)
    assert re.search(r"runserver 127\.0\.0\.1:\$\{PORT:-(\d+)\}", procfile).group(1) == port
    assert f"http://127.0.0.1:{port}" == RUN_ADDRESS == _settings_with(tmp_path)["SITE_URL"]
    assert f"<{RUN_ADDRESS}/>" in readme
    assert "DJANGO_DEBUG=1 make run" in readme
    assert ":5000" not in readme


def test_an_unknown_page_shows_the_friendly_404_not_the_url_list(client, db, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert "Page not found" in html and "Using the URLconf" not in html
    assert "Need help now?" in html  # the crisis resources stay in view


def test_the_500_page_is_friendly_and_keeps_the_crisis_line(db):
    response = errors.server_error(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in html and 'href="tel:988"' in html
    assert "Traceback" not in html


def test_coordinators_are_sent_from_the_admin_to_the_portal_pages(coordinator_client):
    response = coordinator_client.get("/admin/", follow=True)  # via the admin's login page
    assert response.status_code == 403
    html = response.content.decode()
    assert "only for the technical operator" in html
    assert reverse("accounts:people-list") in html and reverse("core:organization-edit") in html


def test_the_operator_still_reaches_the_admin(client, coordinator):
    coordinator.is_superuser = True
    coordinator.save()
    client.force_login(coordinator)
    assert client.get("/admin/").status_code == 200


def test_readme_no_longer_sends_coordinators_to_the_admin():
    readme = (ROOT / "README.md").read_text()
    first_coordinator = readme.split("### The first coordinator", 1)[1].split("\n## ", 1)[0]
    assert "People" in first_coordinator
    assert "or in the admin at `/admin/`" not in first_coordinator


@pytest.fixture
def org(db):
    org = Organization.get()
    org.name = "Harbor Light Peer Collective"
    org.save()
    return org


def test_account_emails_name_the_organization_and_come_from_it(client, org, settings):
    settings.DEFAULT_FROM_EMAIL = "no-reply@peerportal.localhost"
    client.post(
        reverse("account_signup"),
        {
            "email": "newcomer@example.test",
            "display_name": "Pebble",
            "password1": "a-long-enough-passphrase",
            "password2": "a-long-enough-passphrase",
        },
    )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.from_email == "Harbor Light Peer Collective <no-reply@peerportal.localhost>"
    assert "Hello from Harbor Light Peer Collective!" in message.body
    assert "Thank you for using Harbor Light Peer Collective!" in message.body
    assert message.body.rstrip().endswith("127.0.0.1:8000")  # SITE_URL, not the request host


def test_a_configured_sender_with_a_name_is_used_as_given(client, org, settings):
    settings.DEFAULT_FROM_EMAIL = "Harbor Light <hello@harbor.example.org>"
    client.post(reverse("account_reset_password"), {"email": "nobody@example.test"})
    # Unknown addresses get a neutral email (enumeration prevention); it still names the org.
    assert mail.outbox[0].from_email == "Harbor Light <hello@harbor.example.org>"
    assert "Harbor Light Peer Collective" in mail.outbox[0].body
