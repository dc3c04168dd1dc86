"""The production static storage remembers each URL for the process, with WhiteNoise's answer."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from django.test import override_settings
from whitenoise.storage import CompressedManifestStaticFilesStorage

from peerportal.core.staticfiles import ManifestStaticStorage
from tests.environment import PRODUCTION_SECRET_KEY, production_env


def _manifest(root, paths):
    (root / "staticfiles.json").write_text(
        json.dumps({"paths": paths, "version": "1.1", "hash": "x"})
    )


@pytest.fixture
def root(tmp_path):
    _manifest(
        tmp_path, {"css/portal.css": "css/portal.0a1b2c.css", "js/portal.js": "js/portal.9f8e.js"}
    )
    return tmp_path


@override_settings(DEBUG=False, STATIC_URL="/static/")
def test_urls_are_whitenoises_and_worked_out_once(root, monkeypatch):
    ours = ManifestStaticStorage(location=root, base_url="/static/")
    theirs = CompressedManifestStaticFilesStorage(location=root, base_url="/static/")
    for name in ("css/portal.css", "js/portal.js"):
        assert ours.url(name) == theirs.url(name)
    assert ours.url("css/portal.css") == "/static/css/portal.0a1b2c.css"

    calls = []
    original = CompressedManifestStaticFilesStorage.url

    def counting(self, name, force=False):
        calls.append(name)
        return original(self, name, force)

    monkeypatch.setattr(CompressedManifestStaticFilesStorage, "url", counting)
    for _ in range(3):
        assert ours.url("css/portal.css") == "/static/css/portal.0a1b2c.css"
    assert calls == []  # remembered from the first answer


@override_settings(DEBUG=False, STATIC_URL="/static/")
def test_a_name_missing_from_the_manifest_still_fails_every_time(root):
    storage = ManifestStaticStorage(location=root, base_url="/static/")
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            storage.url("img/missing.svg")


def test_debug_answers_unhashed_names_and_is_not_mixed_up_with_production(root):
    storage = ManifestStaticStorage(location=root, base_url="/static/")
    with override_settings(DEBUG=False):
        assert storage.url("css/portal.css") == "/static/css/portal.0a1b2c.css"
    with override_settings(DEBUG=True):
        assert storage.url("css/portal.css") == "/static/css/portal.css"
    with override_settings(DEBUG=False):
        assert storage.url("css/portal.css") == "/static/css/portal.0a1b2c.css"


@override_settings(DEBUG=False)
def test_post_processing_forgets_remembered_urls(root, monkeypatch):
    storage = ManifestStaticStorage(location=root, base_url="/static/")
    assert storage.url("css/portal.css") == "/static/css/portal.0a1b2c.css"
    # collectstatic hashes again: the manifest now names another file.
    storage.hashed_files = {"css/portal.css": "css/portal.ffff.css"}
    monkeypatch.setattr(
        CompressedManifestStaticFilesStorage, "post_process", lambda self, *a, **k: iter(())
    )
    list(storage.post_process({}))
    assert storage.url("css/portal.css") == "/static/css/portal.ffff.css"


def test_the_production_settings_use_it(tmp_path):
    # A database address makes it a production configuration (not `make run`); the
    # settings only read it, nothing connects.
    env = production_env(
        tmp_path,
        SECRET_KEY=PRODUCTION_SECRET_KEY,
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/not_used",
    )
    code = "from django.conf import settings; print(settings.STORAGES['staticfiles']['BACKEND'])"
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["peerportal.core.staticfiles.ManifestStaticStorage"]
