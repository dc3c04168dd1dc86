"""Django's Redis cache, with one client object per connection pool instead of one per call.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` for every cache
operation; building one fills its table of response callbacks (about 170 dictionary
writes), which cost more CPU than the round trip of a small GET. Every signed-in page
reads the organization and the session from the cache, so that was paid on each page.
A ``redis.Redis`` is safe to share between threads (each command borrows a connection
from the pool), and the pools themselves are already kept per process by Django, so the
client is kept beside its pool. Behaviour is otherwise Django's own.
"""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        # Django picks (and keeps) the pool; the client is kept beside it, keyed by it.
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class ReusingRedisCache(RedisCache):
    """``django.core.cache.backends.redis.RedisCache`` with `ReusingRedisCacheClient`."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
