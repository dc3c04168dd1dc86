"""`make profile PAGE="groups directory"`: where one page's time goes, on the bench data.

Profiles one page of `make bench` in-process (Django test client, production settings,
the bench database) with pyinstrument, and prints:

* CPU time and wall time per request (median of ``--requests``, after two warm-up
  requests), the number of queries and the time spent waiting on the database;
* any write a GET made (a read request should write nothing);
* the pyinstrument call tree of the profiled requests (CPU time, ``--interval``);
* ``EXPLAIN (ANALYZE, BUFFERS)`` of the page's slowest distinct queries (``--explain``).

CPU time is the figure to compare before and after a change on a busy machine: unlike
wall time it does not grow when other processes share the cores.

    .venv/bin/python bench/profile.py --list
    .venv/bin/python bench/profile.py "team (supervisor)" --requests 5
    make profile PAGE="my bookings"

It uses ``DATABASE_URL`` (default the `make bench` database, seeded by `make bench` first).
Only reads the data; sessions for the persona are created the way `make bench` makes them.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent


def configure() -> None:
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/peerportal_bench")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")
    os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/13")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="peerportal.settings",
        DJANGO_DEBUG="0",
        SECRET_KEY=os.environ.get("SECRET_KEY", "bench-only-secret-key-" + "q" * 40),
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SECURE_SSL_REDIRECT="0",
        PEERPORTAL_VAR_DIR=str(BASE / "var" / "bench"),
        LOG_LEVEL="WARNING",
    )
    sys.path.insert(0, str(BASE))
    import django

    django.setup()


def _plans() -> list[dict]:
    """`make bench`'s pages, with sessions for a few accounts only (not the 2,000 booking
    accounts the load test rotates through)."""
    from bench import targets

    members = targets._members
    targets._members = lambda n: members(min(n, 25))
    try:
        return targets.plans()
    finally:
        targets._members = members


def find_plan(page: str) -> dict:
    all_plans = _plans()
    for plan in all_plans:
        if page in (plan["label"], plan["path"]):
            return plan
    labels = "\n  ".join(p["label"] for p in all_plans)
    raise SystemExit(f"No page {page!r}. Pages:\n  {labels}")


# Library frames folded away in the call tree (our code, templates and crispy stay visible).
HIDE = r".*/(site-packages/(django|psycopg|whitenoise|allauth|django_htmx|csp)|lib/python3[^/]*)/.*"


def _is_read(sql: str) -> bool:
    """A SELECT, or a WITH … SELECT (a common table expression) that changes nothing."""
    head = sql.lstrip().upper()
    return head.startswith("SELECT") or (
        head.startswith("WITH") and not re.search(r"\b(INSERT|UPDATE|DELETE)\b", head)
    )


def explain(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def _client(plan: dict):
    from django.test import Client

    client = Client()
    for name, value in (plan["cookies"][0] if plan["cookies"] else {}).items():
        client.cookies[name] = value
    return client


def _calls_per_request(client, path: str, requests: int) -> int:
    """Python function calls per request (cProfile): unlike CPU time, this does not move
    with the machine's speed, so it shows small changes a busy machine would hide."""
    # cProfile's own engine: `import cProfile` would find this file as `profile`.
    import _lsprof

    profiler = _lsprof.Profiler()
    profiler.enable()
    for _ in range(requests):
        client.get(path)
    profiler.disable()
    return sum(entry.callcount for entry in profiler.getstats()) // requests


def _backend_cpu() -> float | None:
    """CPU seconds the database server process of this connection has used (PostgreSQL on
    the same Linux machine only; None elsewhere). PostgreSQL's CPU shares the cores with the
    web workers in `make bench`, so a page's SQL costs throughput even when Python is cheap."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # utime and stime are fields 14 and 15 of /proc/PID/stat (1-based), in clock ticks.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def summary(requests: int, only: str | None = None, calls: bool = False) -> None:
    """One line per GET page: median CPU per request (no profiler attached), the database
    server's CPU per request, queries, and the ratio of /healthz's CPU (both processes) to
    the page's; the quick before/after table for a change. With ``calls``,
    also the function calls per request; with ``only``, /healthz and the pages whose label
    contains it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rows, reference = [], None
    for plan in _plans():
        if plan["method"] != "GET":
            continue
        if only and plan["path"] != "/healthz" and only not in plan["label"]:
            continue
        client = _client(plan)
        for _ in range(2):
            client.get(plan["path"])
        cpu = []
        db_before = _backend_cpu()
        with CaptureQueriesContext(connection) as captured:
            for _ in range(requests):
                c0 = time.process_time()
                client.get(plan["path"])
                cpu.append(time.process_time() - c0)
        median = statistics.median(cpu) * 1000
        db_after = _backend_cpu()
        # The database server's CPU per request (mean; the clock ticks are 10 ms, so it
        # needs many requests to mean much). Its own pg_backend_pid query is not counted.
        db_cpu = (db_after - db_before) * 1000 / requests if db_before is not None else None
        queries = len(captured.captured_queries) // requests  # before more requests reset it
        count = _calls_per_request(client, plan["path"], 3) if calls else None
        total = median + (db_cpu or 0.0)
        reference = reference or total
        rows.append((plan["label"], median, db_cpu, queries, count, total))
    print(
        f"{'page':34} {'CPU ms':>8} {'DB CPU ms':>10} {'queries':>8} {'healthz/page':>13}"
        + (f" {'calls':>8}" if calls else "")
    )
    for label, median, db_cpu, queries, count, total in rows:
        db = f"{db_cpu:10.1f}" if db_cpu is not None else f"{'':>10}"
        print(
            f"{label:34} {median:8.1f} {db} {queries:8d} {reference / total:13.2f}"
            + (f" {count:8,d}" if calls else "")
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("page", nargs="?", help="label or path of a `make bench` page")
    parser.add_argument("--requests", type=int, default=5)
    parser.add_argument("--explain", type=int, default=3, help="slowest queries to EXPLAIN")
    parser.add_argument("--interval", type=float, default=0.0005)
    parser.add_argument("--list", action="store_true", help="list the pages and stop")
    parser.add_argument("--no-tree", action="store_true", help="figures only, no call tree")
    parser.add_argument(
        "--all", action="store_true", help="CPU per request of every GET page, no profiler"
    )
    parser.add_argument(
        "--calls", action="store_true", help="with --all: function calls per request too"
    )
    parser.add_argument(
        "--only", help="with --all: /healthz and the pages whose label contains this text"
    )
    args = parser.parse_args()
    configure()
    if args.all:
        summary(args.requests, args.only, args.calls)
        return

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from pyinstrument import Profiler

    if args.list or not args.page:
        print("\n".join(f"{p['label']:34} {p['method']} {p['path']}" for p in _plans()))
        return
    plan = find_plan(args.page)
    if plan["method"] != "GET":
        raise SystemExit("Only GET pages are profiled here (booking POSTs: bench/contention.py).")
    client = _client(plan)

    for _ in range(2):  # warm up: imports, template cache, connection
        response = client.get(plan["path"])
    if response.status_code != 200:
        raise SystemExit(f"{plan['path']} answered {response.status_code}")

    cpu, wall, db_wait = [], [], []
    profiler = Profiler(interval=args.interval, async_mode="disabled")
    with CaptureQueriesContext(connection) as captured:
        for _ in range(args.requests):
            first_query = len(captured.captured_queries)
            c0, w0 = time.process_time(), time.perf_counter()
            profiler.start()
            client.get(plan["path"])
            profiler.stop()
            cpu.append(time.process_time() - c0)
            wall.append(time.perf_counter() - w0)
            db_wait.append(sum(float(q["time"]) for q in captured.captured_queries[first_query:]))
    queries = captured.captured_queries
    per_request = len(queries) // args.requests
    print(f"\n{plan['label']}  GET {plan['path']}  ({args.requests} requests)")
    print(f"  CPU per request    median {statistics.median(cpu) * 1000:7.1f} ms")
    print(f"  wall per request   median {statistics.median(wall) * 1000:7.1f} ms")
    print(f"  queries            {per_request} per request")
    print(f"  waiting on the DB  median {statistics.median(db_wait) * 1000:7.1f} ms")
    writes = [q["sql"] for q in queries if not _is_read(q["sql"])]
    # Server-side cursors (DECLARE … FOR SELECT, CLOSE) are reads.
    writes = [
        w for w in writes if not w.upper().startswith(("SAVEPOINT", "RELEASE", "DECLARE", "CLOSE"))
    ]
    print(f"  writes             {len(writes) // args.requests} per request")
    for sql in sorted(set(writes))[:5]:
        print("    " + sql[:160])

    if not args.no_tree:
        print(
            profiler.output_text(
                unicode=True,
                color=False,
                show_all=False,
                timeline=False,
                processor_options={"filter_threshold": 0.02, "hide_regex": HIDE},
            )
        )

    by_sql: dict[str, float] = {}
    for q in queries:
        if _is_read(q["sql"]):
            by_sql[q["sql"]] = max(by_sql.get(q["sql"], 0.0), float(q["time"]))
    slowest = sorted(by_sql.items(), key=lambda item: -item[1])[: args.explain]
    for sql, seconds in slowest:
        print(f"\n-- {seconds * 1000:.1f} ms: {sql[:400]}")
        print(explain(sql))


if __name__ == "__main__":
    main()
