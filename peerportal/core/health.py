"""Health of the database and the broker, for load balancers and benchmarks."""

from __future__ import annotations

from django.conf import settings
from django.db import connection


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 — any failure means "down" to a health check
        return "down"
    return "ok"


def broker_status() -> str:
    """ok, degraded (configured but unreachable), or embedded (no external broker)."""
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        return "embedded"
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=0.3, socket_timeout=0.3)
    try:
        client.ping()
    except redis.RedisError:
        return "degraded"
    finally:
        client.close()
    return "ok"
