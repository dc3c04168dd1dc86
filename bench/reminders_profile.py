"""Where a send batch's CPU goes: ``reminders_send_batch`` in-process, to an SMTP sink.

Seeds ``--count`` due reminders (default 1,000) in the bench database (as
``bench/reminders.py`` does), claims them and sends them in batches of
``REMINDER_SEND_CHUNK`` ids by calling ``reminders_send_batch`` in this process, to an
aiosmtpd sink running in a *separate* process (so its CPU is not counted). Prints the CPU
time (user + system of this process) and queries per reminder, then, with ``--profile``,
the top of a cProfile (sorted by cumulative or own time) or a pyinstrument tree.

  .venv/bin/python bench/reminders_profile.py --count 1000
  .venv/bin/python bench/reminders_profile.py --count 1000 --profile cprofile --sort tottime
  .venv/bin/python bench/reminders_profile.py --count 1000 --profile pyinstrument

Uses ``BENCH_DATABASE_URL`` (default as for ``bench/reminders.py``); only loopback addresses.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
# The script's folder would shadow the standard library's ``profile`` (bench/profile.py).
sys.path[0] = str(BASE)

from bench.reminders import DEFAULT_DB, ensure_database, seed  # noqa: E402


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--count", type=int, default=1000)
    p.add_argument("--smtp-port", type=int, default=8026)
    p.add_argument("--profile", choices=["none", "cprofile", "pyinstrument"], default="none")
    p.add_argument("--sort", default="cumulative", help="cProfile sort key")
    p.add_argument("--lines", type=int, default=40)
    p.add_argument("--callers", default="", help="cProfile: also print the callers of these")
    return p.parse_args()


def wait_for_port(port: int, timeout: float = 10) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"no SMTP sink on port {port}")


def main() -> int:
    args = parse_args()
    db_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.reminders_settings",
            "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-secret-key-" + "x" * 40),
            "DATABASE_URL": db_url,
            "CELERY_BROKER_URL": "memory://",
            "REDIS_URL": "",
            "CACHE_URL": "",
            "BENCH_SMTP_PORT": str(args.smtp_port),
        }
    )
    os.environ.pop("EMAIL_URL", None)
    ensure_database(db_url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from peerportal.reminders import dispatch
    from peerportal.reminders.models import Reminder, ReminderStatus
    from peerportal.reminders.sending import reminders_send_batch

    call_command("migrate", verbosity=0, interactive=False)
    seed(args.count)
    sink = subprocess.Popen(  # noqa: S603 — fixed arguments, loopback only
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"127.0.0.1:{args.smtp_port}",
            "-c",
            "aiosmtpd.handlers.Sink",
        ]
    )
    try:
        wait_for_port(args.smtp_port)
        ids = dispatch.claim_due(limit=args.count)
        chunk = dispatch.send_chunk()
        batches = [ids[i : i + chunk] for i in range(0, len(ids), chunk)]
        # Warm up outside the measurement: imports, template compilation, first connection.
        warm, batches = batches[:1], batches[1:]
        for batch in warm:
            reminders_send_batch(reminder_ids=batch)
        measured = sum(len(b) for b in batches)

        def run():
            for batch in batches:
                reminders_send_batch(reminder_ids=batch)

        profiler = None
        if args.profile == "cprofile":
            import cProfile

            profiler = cProfile.Profile(time.process_time)
        elif args.profile == "pyinstrument":
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005)
        cpu, wall = time.process_time(), time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            if profiler is not None:
                profiler.enable() if args.profile == "cprofile" else profiler.start()
            run()
            if profiler is not None:
                profiler.disable() if args.profile == "cprofile" else profiler.stop()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        sent = Reminder.objects.filter(status=ReminderStatus.SENT).count()
    finally:
        sink.kill()
        sink.wait(timeout=10)

    print(f"reminders sent        {sent} of {args.count} ({measured} measured, batches of {chunk})")
    print(f"CPU per reminder      {cpu / measured * 1000:.2f} ms (this process, user+system)")
    print(f"wall per reminder     {wall / measured * 1000:.2f} ms")
    print(f"queries per reminder  {len(queries) / measured:.2f}")
    if args.profile == "cprofile":
        import pstats

        stats = pstats.Stats(profiler).sort_stats(args.sort)
        stats.print_stats(args.lines)
        if args.callers:
            stats.print_callers(args.callers)
    elif args.profile == "pyinstrument":
        print(profiler.output_text(unicode=True, color=False, show_all=False))
    return 0 if sent == args.count else 1


if __name__ == "__main__":
    sys.exit(main())
