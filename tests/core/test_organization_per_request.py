"""The organization is read from the shared cache once per request, and a change made during
the request is seen at once."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from peerportal.core.models import Organization, organization_per_request

pytestmark = pytest.mark.django_db


def test_one_cache_read_per_request(monkeypatch):
    Organization.get()
    reads = []
    original = cache.get
    monkeypatch.setattr(cache, "get", lambda *a, **kw: reads.append(a[0]) or original(*a, **kw))
    with organization_per_request():
        first = Organization.get()
        assert Organization.get() is first
        assert Organization.get() is first
    assert len(reads) == 1
    Organization.get()
    assert len(reads) == 2  # outside a request nothing is remembered


def test_a_change_during_the_request_is_seen():
    with organization_per_request():
        org = Organization.get()
        org.name = "Renamed Collective"
        org.save()
        assert Organization.get().name == "Renamed Collective"
