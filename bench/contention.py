"""Many clients race for few seats through the real web server; counts overbookings.

The race is timed from the moment the clients are released together until the last answer:
booking requests answered per second over that window, p50 and p95 of each request's time
(from its send to its answer), confirmed, waitlisted, overbookings and errors. Threads
are created and lined up at a barrier before the clock starts.

Run inside `manage.py shell` by bench/load.py. Uses the booking endpoint of the support
groups app when present, else RSVPs for drop-in events (the same lock-count-insert rule).
"""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

from django.urls import reverse
from django.utils import timezone

from bench.sessions import cookies_for
from peerportal.accounts.models import User

HOST = f"http://127.0.0.1:{os.environ.get('BENCH_PORT', '8811')}"
CLIENTS = int(os.environ.get("BENCH_CONTENTION_CLIENTS", "200"))
SEATS = int(os.environ.get("BENCH_CONTENTION_SEATS", "20"))
SESSIONS = int(os.environ.get("BENCH_CONTENTION_SESSIONS", "4"))


def _targets():
    try:
        from bench.groups import contention_targets
    except ImportError:
        contention_targets = None
    if contention_targets is not None:
        return contention_targets(SESSIONS, SEATS // SESSIONS)
    from peerportal.core.models import Location
    from peerportal.dropin.models import Event

    location = Location.objects.first()
    start = timezone.now() + timezone.timedelta(days=30)
    events = [
        Event.objects.create(
            location=location,
            title=f"Bench race {time.time_ns()}-{i}",
            starts_at=start,
            ends_at=start + timezone.timedelta(hours=1),
            capacity=SEATS // SESSIONS,
            rsvp_enabled=True,
        )
        for i in range(SESSIONS)
    ]

    def count(event):
        return event.rsvps.filter(status="active").count()

    return [
        (reverse("dropin:rsvp-create", args=[e.pk]), e.capacity, (lambda e=e: count(e)))
        for e in events
    ]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """The booking's answer is a redirect to the group page: count the answer, do not
    also fetch the page (that is measured on its own)."""

    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def run() -> None:
    targets = _targets()
    users = list(
        User.objects.filter(role="member", email__endswith="@large.peerportal.test").order_by(
            "-pk"
        )[:CLIENTS]
    )
    cookies = cookies_for(users)
    errors = 0
    lock = threading.Lock()
    latencies: list[float] = []
    answered_at: list[float] = []
    released = []
    barrier = threading.Barrier(len(cookies), action=lambda: released.append(time.monotonic()))

    def client(i: int) -> None:
        nonlocal errors
        path, _capacity, _count = targets[i % len(targets)]
        jar = cookies[i]
        header = "; ".join(f"{k}={v}" for k, v in jar.items())
        csrf = jar["csrftoken"]
        request = urllib.request.Request(  # noqa: S310 — loopback only
            HOST + path,
            data=urllib.parse.urlencode({"csrfmiddlewaretoken": csrf}).encode(),
            headers={"Cookie": header, "X-CSRFToken": csrf, "Referer": HOST + path},
            method="POST",
        )
        barrier.wait(timeout=60)
        sent = time.monotonic()
        failed = False
        try:
            with _opener.open(request, timeout=30) as response:
                response.read()
        except urllib.error.HTTPError as exc:  # 302 (not followed) is an answer
            failed = exc.code >= 500
        except OSError:
            failed = True
        done = time.monotonic()
        with lock:
            errors += failed
            if not failed:
                latencies.append(done - sent)
                answered_at.append(done)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(len(cookies))]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    elapsed = time.monotonic() - started
    window = (max(answered_at) - released[0]) if answered_at and released else 0.0
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000 if ordered else 0.0

    confirmed = sum(count() for _path, _cap, count in targets)
    overbookings = sum(max(0, count() - cap) for _path, cap, count in targets)
    print(
        json.dumps(
            {
                "clients": len(cookies),
                "seats": sum(cap for _p, cap, _c in targets),
                "sessions": len(targets),
                "confirmed": confirmed,
                "waitlisted": len(cookies) - confirmed,
                "overbookings": overbookings,
                "errors": errors,
                "bookings_per_second": confirmed / elapsed if elapsed else 0.0,
                "requests_per_second": len(answered_at) / window if window else 0.0,
                "race_seconds": window,
                "p50_ms": pct(0.50),
                "p95_ms": pct(0.95),
            }
        )
    )
