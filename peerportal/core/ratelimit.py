"""Per-account rate limits for write endpoints (booking, RSVP, shift sign-up).

Counts live in the cache, so they hold across processes when Redis is configured.
"""

from __future__ import annotations

import time
from functools import wraps

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpResponse
from django.utils.translation import gettext as _

PERIODS = {"s": 1, "m": 60, "h": 3600}


def parse_rate(rate: str) -> tuple[int, int]:
    count, _sep, period = rate.partition("/")
    return int(count), PERIODS[period]


def hit(scope: str, key: str, rate: str) -> bool:
    """Count one hit; False when the limit for this window is already reached."""
    limit, seconds = parse_rate(rate)
    window = int(time.time()) // seconds
    cache_key = f"rl:{scope}:{key}:{window}"
    count = _redis_count(cache_key, seconds + 1)
    if count is None:
        cache.add(cache_key, 0, timeout=seconds + 1)
        try:
            count = cache.incr(cache_key)
        except ValueError:  # evicted between add and incr
            cache.set(cache_key, 1, timeout=seconds + 1)
            count = 1
    return count <= limit


def _redis_count(cache_key: str, timeout: int) -> int | None:
    """With Django's Redis cache: the same ``add`` then ``incr`` on the same key, in one
    round trip instead of three (``incr`` also asks whether the key exists). None with
    any other cache backend."""
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        return None
    key = backend.make_and_validate_key(cache_key)
    pipe = backend._cache.get_client(key, write=True).pipeline(transaction=False)
    pipe.set(key, 0, ex=timeout, nx=True)
    pipe.incr(key)
    return int(pipe.execute()[1])


def ratelimit(scope: str, rate: str = "30/m", methods: tuple[str, ...] = ("POST",)):
    """Limit signed-in accounts (by id) to ``rate`` requests of ``methods`` on a view."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if (
                request.method in methods
                and request.user.is_authenticated
                and not hit(scope, str(request.user.pk), rate)
            ):
                response = HttpResponse(
                    _("Too many requests. Please wait a minute and try again."), status=429
                )
                response["Retry-After"] = str(parse_rate(rate)[1])
                return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
