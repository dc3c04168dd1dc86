"""The production cache: Django's Redis cache, keeping one client object per pool."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import pytest

from peerportal.core.cache import ReusingRedisCache
from tests.environment import PRODUCTION_SECRET_KEY, production_env


@pytest.fixture
def redis_cache():
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("needs REDIS_URL (CI sets it)")
    # A prefix of its own (the pinned clock is the same in both test processes, so the
    # process id is in it too); only its own keys are removed afterwards: ``clear()`` would
    # empty the whole Redis database under tests running beside it.
    backend = ReusingRedisCache(
        url, {"KEY_PREFIX": f"pp-test-cache-{os.getpid()}-{time.time_ns()}"}
    )
    yield backend
    backend.delete_many(["org", "count", "a", "b"])


def test_one_client_is_kept_and_shared(redis_cache):
    client = redis_cache._cache.get_client("k")
    assert redis_cache._cache.get_client("other", write=True) is client
    seen = []
    thread = threading.Thread(target=lambda: seen.append(redis_cache._cache.get_client("k")))
    thread.start()
    thread.join()
    assert seen == [client]


def test_it_behaves_as_djangos_redis_cache(redis_cache):
    assert redis_cache.get("missing", "default") == "default"
    redis_cache.set("org", {"name": "Invented Peer Collective"}, 30)
    assert redis_cache.get("org") == {"name": "Invented Peer Collective"}
    assert redis_cache.add("org", "other") is False
    redis_cache.set("count", 1)
    assert redis_cache.incr("count", 2) == 3
    redis_cache.delete("org")
    assert redis_cache.get("org") is None
    redis_cache.set_many({"a": 1, "b": 2})
    assert redis_cache.get_many(["a", "b", "c"]) == {"a": 1, "b": 2}


def test_the_settings_use_it_when_redis_is_configured(tmp_path):
    """The production settings pick this backend for Redis (tests run on local memory)."""
    env = production_env(
        tmp_path, SECRET_KEY=PRODUCTION_SECRET_KEY, REDIS_URL="redis://127.0.0.1:6379/9"
    )
    code = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["peerportal.core.cache.ReusingRedisCache"]
