"""Redis down: the request that schedules a reminder still succeeds; the row waits.

No timing assertions here (speed lives in the benchmark): the nudge is shown to use one
connection attempt with a short timeout and no retries, the request to succeed, and the
reminder to be delivered once the broker is back.
"""

from __future__ import annotations

import pytest

from peerportal.reminders import services
from peerportal.reminders.dispatch import dispatch_due
from peerportal.reminders.models import Reminder, ReminderStatus

pytestmark = pytest.mark.django_db

UNREACHABLE = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def broker_down(monkeypatch):
    """Celery in its production mode (not eager) with an unreachable Redis."""
    from peerportal.celery import app

    saved = {key: app.conf[key] for key in ("task_always_eager", "broker_url", "broker_write_url")}
    # broker_write_url: CELERY_BROKER_URL in the environment would win over broker_url.
    app.conf.update(task_always_eager=False, broker_url=UNREACHABLE, broker_write_url=UNREACHABLE)
    connections = []
    original = app.connection_for_write

    def spy(*args, **kwargs):
        conn = original(*args, **kwargs)
        connections.append(conn)
        return conn

    monkeypatch.setattr(app, "connection_for_write", spy)
    try:
        yield connections
    finally:
        app.conf.update(saved)


def test_the_nudge_makes_one_short_attempt_without_retries(broker_down):
    services._nudge_dispatch()  # does not raise
    conn = broker_down[0]  # ours; Celery may also build (not open) its producer pool
    assert (conn.transport_cls, conn.hostname, conn.port) == ("redis", "127.0.0.1", 1)
    assert conn.connect_timeout <= 0.5
    assert conn.transport_options["max_retries"] == 0
    assert conn.transport_options["socket_connect_timeout"] <= 0.5


def test_a_booking_style_request_succeeds_with_the_broker_unreachable_and_is_delivered_later(
    broker_down, member_client, place, member, mailbox, django_capture_on_commit_callbacks, settings
):
    settings.ROOT_URLCONF = "tests.reminders.broker_urls"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = member_client.post(f"/book/{place.pk}/")
    assert response.status_code == 201
    assert callbacks, "the nudge ran after the commit"
    assert broker_down, "publishing was attempted against the unreachable broker"
    reminder = Reminder.objects.get(pk=response.json()["reminder"])
    assert reminder.status == ReminderStatus.PENDING and not mailbox

    # The broker returns (here: tasks run in-process again); the next scan delivers it.
    from peerportal.celery import app

    app.conf.task_always_eager = True
    assert dispatch_due() == 1
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.SENT and len(mailbox) == 1


def test_a_burst_of_requests_publishes_one_delayed_nudge(monkeypatch):
    """One publish per interval per process; it asks for the dispatch a moment later, so
    rows committed by the rest of the burst are picked up by it."""
    from peerportal.celery import app
    from peerportal.reminders.tasks import dispatch_due_reminders

    published = []
    monkeypatch.setattr(
        dispatch_due_reminders, "apply_async", lambda *a, **kw: published.append(kw)
    )
    saved = app.conf.task_always_eager
    app.conf.update(task_always_eager=False)
    try:
        for _ in range(5):
            services._nudge_dispatch()
        assert len(published) == 1
        assert published[0]["countdown"] == services.NUDGE_INTERVAL
        services._nudge_state.reset()  # the interval has passed
        services._nudge_dispatch()
        assert len(published) == 2
    finally:
        app.conf.update(task_always_eager=saved)


class _FakeConnection:
    def __init__(self, name):
        self.name, self.released = name, False

    def release(self):
        self.released = True


@pytest.fixture
def publishing(monkeypatch):
    """Celery not eager; connections are fakes named c1, c2…; ``fail`` names the ones whose
    publish raises (as a publish on a connection the broker dropped does)."""
    from peerportal.celery import app
    from peerportal.reminders.tasks import dispatch_due_reminders

    state = {"opened": [], "published": [], "fail": set()}

    def connection_for_write(*args, **kwargs):
        conn = _FakeConnection(f"c{len(state['opened']) + 1}")
        state["opened"].append(conn)
        return conn

    def apply_async(*args, connection=None, **kwargs):
        if connection.name in state["fail"]:
            raise ConnectionError("broker went away")
        state["published"].append(connection.name)

    monkeypatch.setattr(app, "connection_for_write", connection_for_write)
    monkeypatch.setattr(dispatch_due_reminders, "apply_async", apply_async)
    saved = app.conf.task_always_eager
    app.conf.update(task_always_eager=False)
    try:
        yield state
    finally:
        app.conf.update(task_always_eager=saved)


def _next_interval():
    services._nudge_state.last = float("-inf")  # the interval has passed, the connection stays


def test_the_next_nudge_publishes_on_the_connection_the_last_one_opened(publishing):
    services._nudge_dispatch()
    _next_interval()
    services._nudge_dispatch()
    assert publishing["published"] == ["c1", "c1"]
    assert [c.name for c in publishing["opened"]] == ["c1"]
    assert not publishing["opened"][0].released


def test_a_kept_connection_that_fails_is_closed_and_one_fresh_one_is_tried(publishing):
    services._nudge_dispatch()
    publishing["fail"].add("c1")  # the broker restarted: the kept connection is dead
    _next_interval()
    services._nudge_dispatch()
    assert publishing["published"] == ["c1", "c2"]
    assert publishing["opened"][0].released
    _next_interval()
    services._nudge_dispatch()
    assert publishing["published"] == ["c1", "c2", "c2"]


def test_a_fresh_connection_that_fails_is_not_retried_nor_kept(publishing):
    publishing["fail"].update({"c1", "c2"})
    services._nudge_dispatch()  # does not raise
    assert [c.name for c in publishing["opened"]] == ["c1"]
    assert publishing["opened"][0].released and not publishing["published"]
    publishing["fail"].clear()
    _next_interval()
    services._nudge_dispatch()
    assert publishing["published"] == ["c2"]


def test_a_forked_child_opens_its_own_connection(publishing, monkeypatch):
    services._nudge_dispatch()
    monkeypatch.setattr(services.os, "getpid", lambda: -1)  # now in a child process
    _next_interval()
    services._nudge_dispatch()
    assert publishing["published"] == ["c1", "c2"]
    assert not publishing["opened"][0].released  # the parent's socket is left alone
