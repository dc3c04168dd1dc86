"""Time in tests: the whole run at a chosen instant, and single tests at a pinned one.

``pytest --clock 2027-11-07T05:30:00Z`` runs the suite at that instant;
``@pytest.mark.clock("2027-06-16T17:00:00Z")`` pins one test's clock (not ticking), from
before its fixtures are built, so the signed-in clients and factories live in that time too;
the test asks for the ``clock`` fixture to move it. ``@pytest.mark.clock()`` with no instant
stops the clock where it is (for tests that count per minute and must not straddle one).

The process clock (``time.time``, ``datetime.now``, ``timezone.now`` …) starts at that instant
and ticks on from there, for the whole run; tests that pin their own clock with time-machine
still do (time-machine nests). ``--clock random`` picks an instant between 2026 and 2031 and
prints it in the header, so a failure can be replayed with ``--clock <that instant>``.

Browser tests are left out under ``--clock``: Chromium keeps the real time, so cookies and
page clocks would disagree with the server. So are tests that pin their own instant (they
would run exactly as in the normal run). Worker subprocesses started by the integration
tests follow the clock through ``TEST_CLOCK`` (see ``clock_env`` and ``start_from_env``).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import zoneinfo

import pytest

ENV = "TEST_CLOCK"
RANDOM_FROM = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
RANDOM_SPAN_SECONDS = 5 * 365 * 24 * 3600


def parse_instant(value: str) -> dt.datetime:
    """An ISO 8601 instant with a zone ("Z" or an offset); a naive one is refused."""
    try:
        instant = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise pytest.UsageError(f"--clock: not an ISO 8601 instant: {value!r}") from exc
    if instant.tzinfo is None:
        raise pytest.UsageError(f"--clock: give a zone, e.g. {value}Z for UTC")
    return instant.astimezone(dt.UTC)


def random_instant(seed: int | None = None) -> dt.datetime:
    rng = random.Random(seed)  # noqa: S311 — picking a test instant, not a secret
    return RANDOM_FROM + dt.timedelta(seconds=rng.randrange(RANDOM_SPAN_SECONDS))


def start_from_env():
    """In a subprocess (a test's Celery worker): follow the parent's pinned clock, if any."""
    value = os.environ.get(ENV)
    if not value:
        return None
    import time_machine

    traveller = time_machine.travel(parse_instant(value), tick=True)
    traveller.start()
    return traveller


def clock_env() -> dict[str, str]:
    """Environment for a subprocess that must share this process's clock (``{}`` if real)."""
    if not os.environ.get(ENV):
        return {}
    return {ENV: dt.datetime.now(dt.UTC).isoformat()}


def pytest_addoption(parser):
    parser.addoption(
        "--clock",
        default=None,
        metavar="INSTANT",
        help=(
            "start the process clock at INSTANT (ISO 8601 with a zone, e.g. "
            "2027-11-07T05:30:00Z) or at a random instant ('random'); browser tests are skipped"
        ),
    )


@pytest.fixture(autouse=True)
def clock(request):
    """``@pytest.mark.clock(INSTANT, tick=False)``: the test and its fixtures run at INSTANT.

    A test that asks for ``clock`` gets the traveller and can move time on
    (``clock.move_to(instant)``, ``clock.shift(seconds)``); ``None`` without the marker.
    """
    marker = request.node.get_closest_marker("clock")
    if marker is None:
        yield None
        return
    import time_machine

    if not marker.args:  # @pytest.mark.clock(): time stands still at the current instant
        instant = dt.datetime.now(dt.UTC)
    else:
        (value,) = marker.args
        instant = parse_instant(value) if isinstance(value, str) else value
    with time_machine.travel(instant, tick=marker.kwargs.get("tick", False)) as traveller:
        yield traveller


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "clock(instant=now, tick=False): run this test (and its fixtures) at that instant",
    )
    value = config.getoption("--clock")
    if not value:
        return
    if value != "random":
        instant = parse_instant(value)
    elif hasattr(config, "workerinput") and os.environ.get(ENV):
        instant = parse_instant(os.environ[ENV])  # an xdist worker: the controller chose
    else:
        instant = random_instant()
    import time_machine

    traveller = time_machine.travel(instant, tick=True)
    traveller.start()
    config._clock = (instant, traveller)
    # Subprocesses read it (see clock_env); the value is refreshed at each spawn.
    os.environ[ENV] = instant.isoformat()


def pytest_unconfigure(config):
    clock = getattr(config, "_clock", None)
    if clock:
        clock[1].stop()
        os.environ.pop(ENV, None)


def pytest_report_header(config):
    clock = getattr(config, "_clock", None)
    if clock:
        return f"clock: started at {clock[0].isoformat().replace('+00:00', 'Z')} (--clock)"
    return None


def pins_its_own_clock(item) -> bool:
    """A test marked with an instant, or using the ``pinned`` instants, runs at that instant
    whatever ``--clock`` says: running it again under ``--clock`` would repeat it exactly."""
    marker = item.get_closest_marker("clock")
    return bool(marker and marker.args) or "pinned" in getattr(item, "fixturenames", ())


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    if not getattr(config, "_clock", None):
        return
    skip = pytest.mark.skip(reason="browser tests keep the real clock (--clock given)")
    kept, repeated = [], []
    for item in items:
        if pins_its_own_clock(item):
            repeated.append(item)
            continue
        if "e2e" in item.keywords or "tests/e2e/" in str(item.path):
            item.add_marker(skip)
        kept.append(item)
    if repeated:
        config.hook.pytest_deselected(items=repeated)
        items[:] = kept


# --- Awkward instants for tests of date bounds ---------------------------------------------

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")

# Given in the organization's zone, America/New_York, where the tests put it: local
# midnight on 29 February, the spring-forward night, Monday midnight, the fall-back hour.
AWKWARD_INSTANTS = {
    "leap-day-midnight": dt.datetime(2028, 2, 29, 0, 0, tzinfo=NEW_YORK),
    "spring-forward": dt.datetime(2026, 3, 8, 3, 30, tzinfo=NEW_YORK),
    "monday-midnight": dt.datetime(2026, 11, 23, 0, 0, tzinfo=NEW_YORK),
    "fall-back": dt.datetime(2026, 11, 1, 1, 30, tzinfo=NEW_YORK, fold=1),
}


@pytest.fixture(params=list(AWKWARD_INSTANTS), ids=list(AWKWARD_INSTANTS))
def pinned(request, db):
    """The clock stopped at an awkward instant, the organization in New York; yields it."""
    import time_machine

    from peerportal.core.models import Organization

    org = Organization.get()
    org.time_zone = "America/New_York"
    org.save()
    instant = AWKWARD_INSTANTS[request.param]
    with time_machine.travel(instant, tick=False):
        yield instant.astimezone(dt.UTC)
