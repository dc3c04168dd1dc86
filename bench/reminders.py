"""`make bench-reminders`: 10,000 due reminders through Redis and one worker to an SMTP sink.

1. Prepares the bench database (created if missing, migrated) and empties its reminders.
2. Seeds N due reminders (default 10,000) of a bench kind for 100 invented people.
3. Starts a local SMTP sink (aiosmtpd on 127.0.0.1, in a process of its own) that counts
   messages by Message-ID.
4. Starts one real Celery worker (prefork, ``--concurrency``) on a private queue and
   publishes one ``reminders.dispatch_due``; full batches chain the next dispatch, and the
   script re-publishes a dispatch every 10 s as beat would every minute.
5. Waits until every row is sent (or the time limit), then prints throughput, duplicates
   (messages received more than once) and losses (rows never received), and how long a
   request's best-effort nudge takes with the broker unreachable.

Defaults (override with environment variables or flags):
  BENCH_DATABASE_URL  postgres://postgres@127.0.0.1:5432/peerportal_bench_reminders
  BENCH_BROKER_URL    redis://127.0.0.1:6379/15
  --count 10000  --concurrency 4  --smtp-port 8025  --timeout 600

Only loopback addresses are used; the worker is always killed on the way out.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/peerportal_bench_reminders"
DEFAULT_BROKER = "redis://127.0.0.1:6379/15"
# A duplicate first accepted further than this from every kill was not left by a kill.
FAR_FROM_KILL = 1.0  # seconds (kills are several seconds apart)
MESSAGE_ID = re.compile(rb"^Message-ID:\s*(<[^>]+>)", re.IGNORECASE | re.MULTILINE)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--count", type=int, default=10_000)
    p.add_argument("--concurrency", type=int, default=4, help="worker processes (one worker)")
    p.add_argument("--smtp-port", type=int, default=8025)
    p.add_argument("--timeout", type=float, default=600, help="seconds before giving up")
    p.add_argument(
        "--kill-after",
        type=int,
        default=0,
        help="SIGKILL the worker once this many rows are sent, then start a new one",
    )
    p.add_argument(
        "--kills",
        type=int,
        default=1,
        help="with --kill-after N: kill (and restart) this many times, every N rows sent",
    )
    p.add_argument(
        "--lease",
        type=int,
        default=10,
        help="REMINDER_SEND_LEASE seconds for the worker (a killed worker's rows wait this long)",
    )
    p.add_argument(
        "--no-write",
        action="store_true",
        help="print only; by default a run of at least 10,000 reminders writes its block of "
        "bench/results.md (one block for runs without kills, one for runs with kills)",
    )
    p.add_argument(
        "--claim-timeout",
        type=int,
        default=30,
        help="REMINDER_CLAIM_TIMEOUT seconds for the worker: claims a killed worker had "
        "reserved but not started come back after this (600 s by default in production)",
    )
    return p.parse_args()


def ensure_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[1].split("?")[0]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


class Sink:
    """aiosmtpd handler: counts every accepted message by its Message-ID and notes when it
    accepted it (wall clock, to compare with the row's ``sent_at``)."""

    def __init__(self):
        self.ids: Counter = Counter()
        self.accepted: dict[str, float] = {}  # Message-ID -> last acceptance (time.time())
        self.first_accepted: dict[str, float] = {}
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd API
        match = MESSAGE_ID.search(envelope.original_content or envelope.content)
        now = time.time()  # from here on a kill of the sender means a duplicate
        key = match.group(1).decode() if match else "?"
        with self.lock:
            self.ids[key] += 1
            self.accepted[key] = now
            self.first_accepted.setdefault(key, now)
        return "250 OK"

    def total(self) -> int:
        with self.lock:
            return sum(self.ids.values())


def _run_sink(port: int, conn) -> None:
    """The sink's own process. A real SMTP server goes on answering while a worker dies; a
    sink in a thread of the bench process shares its GIL with the code that kills the
    worker, and can stall at the instant of a kill (session 8 found it did; see
    bench/README.md)."""
    from aiosmtpd.controller import Controller

    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    conn.send("ready")
    while conn.recv() == "cpu":  # until told to stop
        conn.send(time.process_time())  # every thread of this process, the server's included
    controller.stop()
    with sink.lock:
        conn.send((dict(sink.ids), dict(sink.accepted), dict(sink.first_accepted)))


class SinkProcess:
    """Runs ``Sink`` in a process of its own; ``stop()`` returns its counts as a ``Sink``."""

    def __init__(self, port: int):
        import multiprocessing

        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_run_sink, args=(port, child), daemon=True)

    def start(self) -> None:
        self.proc.start()
        if not self.conn.poll(60):
            self.proc.kill()
            raise SystemExit("the SMTP sink did not start within 60 s")
        self.conn.recv()

    def cpu_seconds(self) -> float:
        """The CPU the sink's process has used so far, as it reports it itself."""
        self.conn.send("cpu")
        if not self.conn.poll(30):
            raise SystemExit("the SMTP sink did not answer within 30 s")
        return self.conn.recv()

    def stop(self) -> Sink:
        sink = Sink()
        if self.proc.is_alive():
            self.conn.send("stop")
            if self.conn.poll(30):
                ids, accepted, first = self.conn.recv()
                sink.ids.update(ids)
                sink.accepted.update(accepted)
                sink.first_accepted.update(first)
        self.proc.join(10)
        if self.proc.is_alive():
            self.proc.kill()
        return sink


def seed(count: int) -> list[str]:
    import datetime as dt

    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from peerportal.accounts.models import User
    from peerportal.core.models import Location
    from peerportal.reminders.models import Reminder
    from peerportal.reminders.sending import message_id
    from tests.reminders.kinds import NOTICE

    Reminder.objects.all().delete()
    place, _ = Location.objects.get_or_create(name="Bench Room (invented)")
    people = []
    for i in range(100):
        user, _ = User.objects.get_or_create(
            email=f"bench{i}@bench.peerportal.test", defaults={"display_name": f"Bench {i}"}
        )
        people.append(user)
    now = timezone.now()
    ct = ContentType.objects.get_for_model(Location)
    Reminder.objects.bulk_create(
        (
            Reminder(
                kind=NOTICE,
                target_type=ct,
                target_id=place.pk,
                recipient=people[i % len(people)],
                due_at=now - dt.timedelta(milliseconds=i),
            )
            for i in range(count)
        ),
        batch_size=2000,
    )
    return [message_id(r) for r in Reminder.objects.all().only("pk", "created_at")]


def windows(sink: Sink) -> list[float]:
    """Per message: seconds from the sink's acceptance to the row's ``sent_at``.

    The worker stamps ``sent_at`` just before its "sent" UPDATE goes to the database, so
    this is the at-least-once window: a sender killed inside it has had its message accepted
    but not recorded, and the row is sent again once its lease runs out.
    """
    from peerportal.reminders.models import Reminder, ReminderStatus
    from peerportal.reminders.sending import message_id

    out = []
    rows = Reminder.objects.filter(status=ReminderStatus.SENT).only("pk", "created_at", "sent_at")
    for row in rows.iterator(chunk_size=2000):
        accepted = sink.accepted.get(message_id(row))
        if accepted is not None:
            out.append(row.sent_at.timestamp() - accepted)
    return out


def own_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def worker_processes(pid: int) -> list:
    """A worker and its pool processes (psutil), or [] if it is gone. Finding the pool
    scans every process on the machine: about 2 ms holding the GIL."""
    import psutil

    try:
        procs = [psutil.Process(pid)]
        return procs + procs[0].children(recursive=True)
    except psutil.Error:
        return []


def cpu_seconds(procs: list) -> float:
    """User + system CPU of these processes so far (a process gone counts 0)."""
    import psutil

    total = 0.0
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            times = proc.cpu_times()
            total += times.user + times.system
    return total


def nudge_latency(samples: int = 20) -> list[float]:
    """How long a request's after-commit nudge takes with nothing listening on the broker."""
    from peerportal.celery import app
    from peerportal.reminders.services import _nudge_dispatch

    unreachable = "redis://127.0.0.1:1/0"
    saved = {k: app.conf[k] for k in ("task_always_eager", "broker_url", "broker_write_url")}
    app.conf.update(task_always_eager=False, broker_url=unreachable, broker_write_url=unreachable)
    import logging

    logging.getLogger("peerportal.reminders.services").setLevel(logging.ERROR)
    try:
        out = []
        for _ in range(samples):
            t = time.perf_counter()
            _nudge_dispatch()
            out.append(time.perf_counter() - t)
        return out
    finally:
        app.conf.update(saved)


def charge_to_kills(duplicates, kill_times) -> tuple[Counter, list[float]]:
    """Each duplicate (time of its first acceptance, extra copies) charged to the kill
    nearest its first acceptance: that kill stopped its sender between the server's
    acceptance and the row's UPDATE. Neither "the first kill after its first acceptance"
    (the sink may note an acceptance a little after the kill of a sender that had
    already sent it) nor "the last kill before it was accepted again" (the re-send waits
    for the send lease, so it can come after a later kill). A duplicate further than
    ``FAR_FROM_KILL`` from every kill is charged to None: not the window's, a bug.

    Returns ({kill index or None: duplicates}, [ms from first acceptance to its kill]).
    """
    per_kill, before_kill = Counter(), []
    for first, extra in duplicates:
        gaps = [at - first for at in kill_times]
        nearest = min(range(len(gaps)), key=lambda i: abs(gaps[i]), default=None)
        if nearest is None or abs(gaps[nearest]) > FAR_FROM_KILL:
            per_kill[None] += extra
        else:
            per_kill[nearest] += extra
            before_kill.append(round(gaps[nearest] * 1000, 3))
    return per_kill, before_kill


# The goals of issue #18 for `make bench-reminders`.
GOAL_COUNT = 10_000
GOAL_SECONDS = 30


def results_block(report: dict) -> tuple[str, str]:
    """(block name, markdown) for bench/results.md: the run's figures and the goals of #18."""
    from bench.results_file import goal_table

    killed = bool(report["kills"])
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(report["at"]))
    args = f"--count {report['count']} --concurrency {report['concurrency']}"
    if killed:
        args += (
            f" --kill-after {report['kill_after']} --kills {len(report['kills'])}"
            f" --lease {report['lease']} --claim-timeout {report['claim_timeout']}"
        )
    title = "with the worker killed mid-batch" if killed else "one worker, no kill"
    lines = [
        f"## Reminders ({title}): `bench/reminders.py {args}`, {when}",
        "",
        "| reminders | elapsed | reminders/s | worker CPU / reminder | duplicates | losses |",
        "|---:|---:|---:|---:|---:|---:|",
        f"| {report['sent']:,} of {report['count']:,} | {report['elapsed']:.1f} s"
        f"{' (timed out)' if report['timed_out'] else ''} | {report['rate']:.0f} "
        f"| {report['cpu_ms']:.2f} ms | **{report['duplicates']}** | **{report['losses']}** |",
        "",
    ]
    if killed:
        per_kill = ", ".join(str(k["duplicates"]) for k in report["kills"])
        lines.append(
            f"Killed (SIGKILL, worker and pool) {len(report['kills'])} times, each after "
            f"{report['kill_after']:,} more rows were sent, and restarted; duplicates per kill: "
            f"{per_kill}."
        )
        if report["before_kill_ms"]:
            gaps = ", ".join(
                f"{ms:.1f} ms before" if ms >= 0 else f"{-ms:.1f} ms after"
                for ms in sorted(report["before_kill_ms"], reverse=True)
            )
            lines.append(
                f"The sink first accepted the duplicates {gaps} the kill that left each "
                "unrecorded (after: the sender had written the whole message and was killed "
                "waiting for the answer)."
            )
    if report["window"]:
        median, p99, expected = report["window"]
        lines.append(
            f"From the sink's acceptance to the row's `sent_at` (the at-least-once window): "
            f"median {median:.2f} ms, p99 {p99:.2f} ms; duplicates a kill at a random "
            f"instant should leave: {expected:.3f}."
        )
    lines.append("")
    goals = [
        (
            f"{GOAL_COUNT:,} reminders in ≤ {GOAL_SECONDS} s with one worker",
            f"{report['elapsed']:.1f} s",
            report["count"] >= GOAL_COUNT
            and not report["timed_out"]
            and report["elapsed"] <= GOAL_SECONDS,
        ),
        ("0 duplicates", str(report["duplicates"]), report["duplicates"] == 0),
        ("0 losses", str(report["losses"]), report["losses"] == 0),
    ]
    if killed:  # restarts wait for the send lease: the time goal is the run without kills
        goals = goals[1:]
    lines += goal_table(goals)
    return ("kills" if killed else "no kill"), "\n".join(lines)


def main() -> int:
    args = parse_args()
    db_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    broker = os.environ.get("BENCH_BROKER_URL", DEFAULT_BROKER)
    queue = f"bench-reminders-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.reminders_settings",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-secret-key-" + "x" * 40),
        "DATABASE_URL": db_url,
        "CELERY_BROKER_URL": broker,
        "REDIS_URL": "",
        "CACHE_URL": "",
        "BENCH_QUEUE": queue,
        "BENCH_SMTP_PORT": str(args.smtp_port),
        "REMINDER_SEND_LEASE": str(args.lease),
        "REMINDER_CLAIM_TIMEOUT": str(args.claim_timeout),
        "PYTHONPATH": str(BASE),
    }
    env.pop("EMAIL_URL", None)
    os.environ.update(env)
    sys.path.insert(0, str(BASE))

    ensure_database(db_url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    print(f"Seeding {args.count} due reminders …", flush=True)
    expected = seed(args.count)

    sink_process = SinkProcess(args.smtp_port)
    sink_process.start()

    from celery import Celery

    client = Celery("bench-reminders", broker=broker)
    worker_argv = [
        str(BIN / "celery"),
        "-A",
        "peerportal",
        "worker",
        "-Q",
        queue,
        "-c",
        str(args.concurrency),
        "--pool",
        "prefork",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "-l",
        "WARNING",
    ]

    def start_worker():
        return subprocess.Popen(worker_argv, cwd=BASE, env=env, start_new_session=True)  # noqa: S603

    worker_cpu = [0.0]

    def kill(proc) -> float:
        procs = worker_processes(proc.pid)
        worker_cpu[0] += cpu_seconds(procs)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        killed_at = time.time()  # after the signal: a message accepted before it is "before"
        proc.wait(timeout=10)
        return killed_at

    worker = start_worker()
    kills = []  # (sent, held, time.time())
    from peerportal.reminders.models import Reminder, ReminderStatus

    deadline = time.monotonic() + args.timeout
    timed_out = False
    try:
        time.sleep(2)  # let the worker connect
        started = time.monotonic()
        bench_cpu = own_cpu_seconds() + sink_process.cpu_seconds()
        client.send_task("reminders.dispatch_due", queue=queue)
        last_dispatch = started
        while True:
            sent = Reminder.objects.filter(status=ReminderStatus.SENT).count()
            if sent >= args.count:
                break
            if time.monotonic() > deadline:
                timed_out = True
                break
            if (
                args.kill_after
                and len(kills) < args.kills
                and sent >= args.kill_after * (len(kills) + 1)
            ):
                killed_at = kill(worker)  # mid-batch: rows claimed, rows held by a sender
                held = Reminder.objects.filter(status=ReminderStatus.SENDING).count()
                kills.append((sent, held, killed_at))
                worker = start_worker()
                time.sleep(2)
                client.send_task("reminders.dispatch_due", queue=queue)
                last_dispatch = time.monotonic()
            if time.monotonic() - last_dispatch > 10:
                client.send_task("reminders.dispatch_due", queue=queue)
                last_dispatch = time.monotonic()
            time.sleep(0.2)
        elapsed = time.monotonic() - started
        bench_cpu = own_cpu_seconds() + sink_process.cpu_seconds() - bench_cpu
        time.sleep(1)  # let in-flight SMTP sessions finish
    finally:
        kill(worker)
        sink = sink_process.stop()
        with contextlib.suppress(Exception), client.connection_for_write() as conn:
            conn.default_channel.client.delete(queue, f"_kombu.binding.{queue}")

    statuses = Counter(Reminder.objects.values_list("status", flat=True))
    sent = statuses.get("sent", 0)
    rate = sent / elapsed
    cpu_ms = worker_cpu[0] / max(sent, 1) * 1000  # worker CPU per reminder sent
    received = set(sink.ids)
    duplicates = sum(n - 1 for n in sink.ids.values() if n > 1)
    lost = [m for m in expected if m not in received]
    per_kill, before_kill = charge_to_kills(
        [(sink.first_accepted[key], n - 1) for key, n in sink.ids.items() if n > 1],
        [at for _s, _h, at in kills],
    )
    gaps = sorted(windows(sink))
    times = sink.accepted.values()
    span = max(max(times) - min(times), 1e-9) if times else 1.0
    latencies = nudge_latency()
    print()
    print(f"reminders            {args.count}")
    print(f"worker               1 (prefork, concurrency {args.concurrency}), broker {broker}")
    for i, (sent_then, held, _at) in enumerate(kills):
        print(
            f"killed               after {sent_then} sent ({held} rows claimed or held), "
            f"restarted; send lease {args.lease} s; {per_kill.get(i, 0)} duplicates"
        )
    if per_kill.get(None):
        # Nothing may be sent twice without a crash: this would be a bug, not the window.
        print(
            f"duplicates, no kill  {per_kill[None]} (first accepted more than "
            f"{FAR_FROM_KILL:.0f} s from every kill)"
        )
    print(f"elapsed              {elapsed:.1f} s{' (TIMED OUT)' if timed_out else ''}")
    print(f"throughput           {rate:.0f} reminders/s (sent rows)")
    print(
        f"worker CPU           {worker_cpu[0]:.1f} s user+system "
        f"({cpu_ms:.2f} ms per reminder sent)"
    )
    print(
        f"bench CPU            {bench_cpu:.1f} s (the SMTP sink's process and the polling; "
        f"{bench_cpu / max(sent, 1) * 1000:.2f} ms per reminder)"
    )
    print(f"received by sink     {sink.total()} messages, {len(received)} distinct")
    print(f"duplicates           {duplicates}")
    if before_kill:
        gaps_ms = ", ".join(f"{ms:.1f}" for ms in sorted(before_kill))
        print(f"  first accepted     {gaps_ms} ms before the kill that left it unrecorded")
    window = None  # (median ms, p99 ms, duplicates to expect from one kill)
    if gaps:
        # At a random instant, how many accepted-but-unrecorded messages are there? The sum
        # of the windows over the sending time: the duplicates to expect from one kill.
        window = (
            statistics.median(gaps) * 1000,
            gaps[int(len(gaps) * 0.99) - 1] * 1000,
            sum(max(g, 0) for g in gaps) / span,
        )
        print(
            f"accepted -> sent_at  median {window[0]:.2f} ms, p99 {window[1]:.2f} ms, "
            f"max {gaps[-1] * 1000:.1f} ms; expected duplicates per kill {window[2]:.3f}"
        )
    print(f"losses               {len(lost)}")
    print(f"row statuses         {dict(statuses)}")
    print(
        f"nudge, broker down   median {statistics.median(latencies) * 1000:.1f} ms, max {max(latencies) * 1000:.1f} ms over {len(latencies)} requests"
    )
    report = {
        "at": time.time(),
        "count": args.count,
        "concurrency": args.concurrency,
        "kill_after": args.kill_after,
        "lease": args.lease,
        "claim_timeout": args.claim_timeout,
        "kills": [{"duplicates": per_kill.get(i, 0)} for i in range(len(kills))],
        "sent": sent,
        "elapsed": elapsed,
        "timed_out": timed_out,
        "rate": rate,
        "cpu_ms": cpu_ms,
        "duplicates": duplicates,
        "losses": len(lost),
        "before_kill_ms": before_kill,
        "window": window,
    }
    if args.no_write or args.count < GOAL_COUNT:
        print("bench/results.md left alone (--no-write, or fewer than 10,000 reminders)")
    else:
        from bench.results_file import write_block

        write_block(*results_block(report))
        print("bench/results.md: this run's block written")
    return 1 if (timed_out or lost or duplicates) else 0


if __name__ == "__main__":
    sys.exit(main())
