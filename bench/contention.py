"""Many clients race for few seats through the real web server; counts overbookings.

The race is timed from the moment the clients are released together until the last answer:
booking requests answered per second over that window, p50 and p95 of each request's time
(from its send to its answer), confirmed, waitlisted, overbookings and errors (any answer
but the booking's redirect). Threads are created, and each one's request is built as bytes,
before they line up at a barrier and the clock starts; in the race a client only connects,
writes and reads, so the clients take as little as possible of the cores the server is
measured on.

Run inside `manage.py shell` by bench/load.py. Uses the booking endpoint of the support
groups app when present, else RSVPs for drop-in events (the same lock-count-insert rule).
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import urllib.parse

from django.urls import reverse
from django.utils import timezone

from bench.sessions import cookies_for
from peerportal.accounts.models import User

HOST_NAME = "127.0.0.1"
PORT = int(os.environ.get("BENCH_PORT", "8811"))
HOST = f"http://{HOST_NAME}:{PORT}"
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


def _raw_post(path: str, jar: dict) -> bytes:
    """The whole booking request as bytes, built before the race: during the race a client
    only connects, writes and reads (urllib's request building and header parsing would
    spend the same two cores the server is being measured on)."""
    csrf = jar["csrftoken"]
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": csrf}).encode()
    cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
    head = (
        f"POST {path} HTTP/1.1\r\n"
        f"Host: {HOST_NAME}:{PORT}\r\n"
        f"Cookie: {cookie}\r\n"
        f"X-CSRFToken: {csrf}\r\n"
        f"Referer: {HOST}{path}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode("latin-1") + body


def _exchange(request: bytes) -> int:
    """Send one request, read the answer to its end (gunicorn closes the connection);
    the status code. A redirect (the booking's answer) is not followed: the group page it
    points to is measured on its own."""
    with socket.create_connection((HOST_NAME, PORT), timeout=30) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    answer = b"".join(chunks)
    if not answer.startswith(b"HTTP/1."):
        raise OSError("no HTTP answer")
    return int(answer[9:12])


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

    requests = [_raw_post(targets[i % len(targets)][0], jar) for i, jar in enumerate(cookies)]

    def client(i: int) -> None:
        nonlocal errors
        request = requests[i]
        barrier.wait(timeout=60)
        sent = time.monotonic()
        try:
            # The booking's answer is a redirect; anything else (a refusal such as 403 or
            # 429 included) counts as an error.
            failed = _exchange(request) not in (302, 303)
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
