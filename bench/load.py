"""`make bench`: the portal under load on PostgreSQL + Redis with large demo data.

1. Prepares the bench database (migrate; `seed_demo --scale large` once, kept between runs).
2. Starts gunicorn (2 workers, production settings) on 127.0.0.1.
3. For /healthz and each main page, runs locust headless for a fixed time and reads
   requests/s, p50, p95 and errors; each page is also shown as a ratio to /healthz
   measured in the same run (so results compare across machines).
4. Contention: many clients race to book a few seats; prints bookings/s and overbookings.
5. Writes the table to bench/results.md with a description of the machine.

Only loopback addresses are used. Everything is bounded in time.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PORT = int(os.environ.get("BENCH_PORT", "8811"))
HOST = f"http://127.0.0.1:{PORT}"

ENV = dict(os.environ)
ENV.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/peerportal_bench")
ENV.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/13")
ENV.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")
ENV.update(
    DJANGO_SETTINGS_MODULE="peerportal.settings",
    DJANGO_DEBUG="0",
    SECRET_KEY=ENV.get("SECRET_KEY", "bench-only-secret-key-" + "q" * 40),
    ALLOWED_HOSTS="127.0.0.1,localhost",
    SECURE_SSL_REDIRECT="0",
    SESSION_COOKIE_SECURE_OVERRIDE="0",
    PEERPORTAL_VAR_DIR=str(BASE / "var" / "bench"),
    LOG_LEVEL="WARNING",
)


def shell(code: str) -> str:
    """Run code in `manage.py shell`; its last line of output."""
    out = manage("shell", "--no-imports", "-c", code).stdout.strip().splitlines()
    return out[-1] if out else ""


def manage(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "python"), "manage.py", *args],
        cwd=BASE,
        env=ENV,
        check=check,
        text=True,
        capture_output=True,
    )


def prepare(reseed: bool) -> tuple[float, bool]:
    name = ENV["DATABASE_URL"].rsplit("/", 1)[1]
    exists = subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-tAc",
            f"SELECT 1 FROM pg_database WHERE datname='{name}'",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if exists and reseed:
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
        exists = ""
    if not exists:
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    print("migrating…", flush=True)
    manage("migrate", "--noinput")
    manage("collectstatic", "--noinput")
    # Every seed is idempotent and skips what is already there, so this is quick on reruns.
    print("seeding large demo data (a few minutes the first time)…", flush=True)
    started = time.monotonic()
    result = manage("seed_demo", "--scale", "large")
    seconds = time.monotonic() - started
    print(result.stdout[-900:], f"seeded in {seconds:.0f}s", flush=True)
    # Bulk inserts leave the planner's statistics empty until autovacuum comes round; with
    # stale statistics "my bookings" scanned 5,000 sessions (58 ms) instead of 11 bookings
    # (0.4 ms). Production has autovacuum; the bench measures the same steady state.
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", name, "-qc", "ANALYZE"], check=True
    )
    if not exists:
        SEED_RECORD.parent.mkdir(parents=True, exist_ok=True)
        SEED_RECORD.write_text(json.dumps({"seconds": round(seconds), "at": time.strftime("%F")}))
    return seconds, not exists


# How long the last build from empty took, so reruns (which only check) can still report it.
SEED_RECORD = BASE / "var" / "bench" / "seed-from-empty.json"


def seed_note(seconds: float, from_empty: bool) -> str:
    if from_empty:
        return f"The seed command built it from empty in {seconds:.0f} s in this run."
    try:
        last = json.loads(SEED_RECORD.read_text())
    except (OSError, ValueError):
        return "The data was already there (built in an earlier run; `--reseed` rebuilds it)."
    return (
        f"The data was already there; building it from empty took {last['seconds']} s "
        f"on {last['at']} on this machine (`--reseed` rebuilds it)."
    )


DATA_SIZES = """
from django.apps import apps
names = [
    ("accounts.User", "people"), ("groups.SupportGroup", "groups"),
    ("groups.GroupSession", "group sessions"), ("groups.Booking", "bookings"),
    ("warmline.Shift", "warm-line shifts"), ("warmline.ShiftAssignment", "shift assignments"),
    ("warmline.CallRecord", "warm-line contacts"), ("dropin.Event", "drop-in events"),
    ("dropin.VisitTally", "visit counts"), ("certification.Certification", "certifications"),
    ("certification.TrainingRecord", "training records"),
]
print(", ".join(f"{apps.get_model(m).objects.count():,} {label}" for m, label in names))
"""


def data_sizes() -> str:
    return shell(DATA_SIZES)


def start_gunicorn() -> subprocess.Popen:
    proc = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "peerportal.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
        ],
        cwd=BASE,
        env=ENV,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{HOST}/healthz", timeout=2) as r:  # noqa: S310 — loopback only
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def targets() -> list[dict]:
    """Pages and POSTs to measure, with session cookies for the personas they need."""
    return json.loads(shell("from bench.targets import emit; emit()"))


def run_locust(plan: dict, seconds: int, users: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        plan_file = Path(tmp) / "plan.json"
        plan_file.write_text(json.dumps(plan))
        env = dict(ENV, BENCH_PLAN_FILE=str(plan_file))
        subprocess.run(
            [
                str(BIN / "locust"),
                "-f",
                str(BASE / "bench" / "locustfile.py"),
                "--headless",
                "-u",
                str(users),
                "-r",
                str(users),
                "-t",
                f"{seconds}s",
                "-H",
                HOST,
                "--csv",
                f"{tmp}/run",
                "--only-summary",
                "--stop-timeout",
                "5",
            ],
            cwd=BASE,
            env=env,
            check=False,
            capture_output=True,
            timeout=seconds + 60,
        )
        with open(f"{tmp}/run_stats.csv") as fh:
            rows = {r["Name"]: r for r in csv.DictReader(fh)}
    row = rows.get("Aggregated") or next(iter(rows.values()))
    requests = int(row["Request Count"])
    failures = int(row["Failure Count"])
    return {
        "rps": float(row["Requests/s"]),
        "p50": float(row["50%"] or 0),
        "p95": float(row["95%"] or 0),
        "errors": failures,
        "requests": requests,
    }


def contention() -> dict:
    return json.loads(shell("from bench.contention import run; run()"))


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem = next(
        (
            line.split()[1]
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        "?",
    )
    pg = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc", "SHOW server_version"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    return f"{os.cpu_count()} cores ({cpu}), {int(mem) // 1024 // 1024} GiB RAM, Python {platform.python_version()}, PostgreSQL {pg}, gunicorn 2 workers"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("BENCH_SECONDS", "15")))
    parser.add_argument("--users", type=int, default=int(os.environ.get("BENCH_USERS", "20")))
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument(
        "--health-seconds",
        type=int,
        default=int(os.environ.get("BENCH_HEALTH_SECONDS", "5")),
        help="a short /healthz run before each target and after the last (0: none)",
    )
    parser.add_argument(
        "--only",
        action="append",
        metavar="TEXT",
        help="measure only the targets whose label contains TEXT (repeatable), print the "
        "figures and leave results.md and the contention run alone: a quick check of a change",
    )
    args = parser.parse_args()
    seed_seconds, from_empty = prepare(args.reseed)
    sizes = data_sizes()
    print(sizes, flush=True)
    server = start_gunicorn()
    sampler = RssSampler(server.pid).__enter__()
    try:
        plans = targets()
        if args.only:
            plans = [
                p
                for p in plans
                if p["label"] == "/healthz" or any(t in p["label"] for t in args.only)
            ]
        results = []
        health_plan = next((p for p in plans if p["label"] == "/healthz"), None)
        checks: list[float] = []  # /healthz req/s measured between the targets

        def check_health() -> None:
            if health_plan is not None and args.health_seconds > 0:
                checks.append(run_locust(health_plan, args.health_seconds, args.users)["rps"])

        for plan in plans:
            if plan is not health_plan:
                check_health()
            stats = run_locust(plan, args.seconds, args.users)
            if plan is not health_plan and len(checks) >= 1:
                stats["health_before"] = checks[-1]
            results.append((plan["label"], stats))
            print(
                f"{plan['label']:32} {stats['rps']:8.1f} req/s  p50 {stats['p50']:6.0f} ms  p95 {stats['p95']:6.0f} ms  errors {stats['errors']}",
                flush=True,
            )
        check_health()
        # Each target's neighbouring /healthz: the checks just before and just after it.
        for i, (_label, stats) in enumerate(r for r in results if r[1].get("health_before")):
            stats["health_adjacent"] = (checks[i] + checks[i + 1]) / 2
        if args.only:
            for label, stats in results:
                if stats.get("health_adjacent"):
                    print(
                        f"{label:32} ratio to /healthz around it {stats['rps'] / stats['health_adjacent']:.2f}"
                    )
            return
        race = contention()
    finally:
        sampler.__exit__()
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    write_results(
        results,
        race,
        args,
        sizes=sizes,
        seed_seconds=seed_seconds,
        from_empty=from_empty,
        rss=sampler.summary(),
    )


# What follows this line in results.md (profiles, notes) is kept when the table is rewritten.
KEEP_MARKER = "<!-- make bench rewrites the part above this line; the part below is kept -->"


class RssSampler:
    """Samples the resident memory of gunicorn's worker processes; keeps each one's peak."""

    def __init__(self, master_pid: int):
        import threading

        self.master_pid, self.peak = master_pid, {}
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        import psutil

        while not self.stop_event.wait(0.5):
            try:
                for child in psutil.Process(self.master_pid).children():
                    rss = child.memory_info().rss
                    self.peak[child.pid] = max(self.peak.get(child.pid, 0), rss)
            except psutil.Error:
                continue

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop_event.set()
        self.thread.join(timeout=5)

    def summary(self) -> str:
        if not self.peak:
            return ""
        top = max(self.peak.values()) / 1024 / 1024
        each = ", ".join(f"{v / 1024 / 1024:.0f} MiB" for v in self.peak.values())
        return f"**{top:.0f} MiB** (each worker's peak: {each})"


def write_results(
    results, race, args, *, sizes: str, seed_seconds: float, from_empty: bool, rss: str = ""
) -> None:
    health = dict(results).get("/healthz")
    lines = [
        "# Benchmark results",
        "",
        f"Machine: {machine()}.",
        f"Data (`seed_demo --scale large`): {sizes}. {seed_note(seed_seconds, from_empty)}",
        "",
        f"Each target: locust headless, {args.users} users, {args.seconds} s; ratios are to /healthz in the same run.",
        "",
    ]
    adjacent = [s["health_adjacent"] for _l, s in results if s.get("health_adjacent")]
    if adjacent:
        checks = sorted(adjacent)
        lines += [
            "The machine's speed drifts during a run (bench/results.md, session 5), so "
            f"/healthz was also measured for {args.health_seconds} s just before each target "
            "and after the last: the last column divides each target by the mean of the two "
            f"/healthz runs around it (those runs: {checks[0]:.0f}–{checks[-1]:.0f} req/s).",
            "",
        ]
    lines += [
        "| target | req/s | ratio to /healthz | ratio to /healthz around it | p50 ms | p95 ms | errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, s in results:
        ratio = s["rps"] / health["rps"] if health and health["rps"] else 0
        near = f"{s['rps'] / s['health_adjacent']:.2f}" if s.get("health_adjacent") else "—"
        lines.append(
            f"| {label} | {s['rps']:.1f} | {ratio:.2f} | {near} | {s['p50']:.0f} | {s['p95']:.0f} | {s['errors']} |"
        )
    lines += [
        "",
        "## Contention",
        "",
        f"{race['clients']} clients raced for {race['seats']} seats across {race['sessions']} sessions "
        f"(released together at a barrier): **{race['requests_per_second']:.0f} booking requests "
        f"answered per second** over the race ({race['race_seconds']:.2f} s from release to the last "
        f"answer), p50 {race['p50_ms']:.0f} ms, p95 {race['p95_ms']:.0f} ms per request; "
        f"{race['confirmed']} confirmed, {race['waitlisted']} waitlisted, "
        f"**{race['overbookings']} overbookings**, {race['errors']} errors.",
        "",
    ]
    if rss:
        lines += [
            "## Memory",
            "",
            f"Peak RSS of a gunicorn worker during the run: {rss} (sampled every 0.5 s).",
            "",
        ]
    path = BASE / "bench" / "results.md"
    kept = ""
    if path.exists() and KEEP_MARKER in path.read_text():
        kept = path.read_text().split(KEEP_MARKER, 1)[1]
    path.write_text("\n".join(lines) + "\n" + KEEP_MARKER + kept)
    print("\n".join(lines))
    errors_5xx = sum(s["errors"] for _, s in results) + race["errors"]
    if race["overbookings"] or errors_5xx:
        raise SystemExit(f"overbookings {race['overbookings']}, errors {errors_5xx}")


if __name__ == "__main__":
    main()
