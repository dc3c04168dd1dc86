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
    sys.path.insert(0, str(BASE))  # run as a script, only bench/ is on the path
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
        "figures and leave results.md alone: a quick check of a change (the contention races "
        "run only if a TEXT contains 'race')",
    )
    parser.add_argument(
        "--races",
        type=int,
        default=int(os.environ.get("BENCH_RACES", "3")),
        help="contention races, one after another (each on new sessions)",
    )
    args = parser.parse_args()
    seed_seconds, from_empty = prepare(args.reseed)
    sizes = data_sizes()
    print(sizes, flush=True)
    server = start_gunicorn()
    sampler = RssSampler(server.pid).__enter__()
    cpu = ServerCpu(server.pid)
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
            before = cpu.snapshot()
            stats = run_locust(plan, args.seconds, args.users)
            web, pg = cpu.spent(before, cpu.snapshot())
            stats["cpu_web_ms"] = web / max(stats["requests"], 1) * 1000
            stats["cpu_pg_ms"] = pg / max(stats["requests"], 1) * 1000
            if plan is not health_plan and len(checks) >= 1:
                stats["health_before"] = checks[-1]
            results.append((plan["label"], stats))
            print(
                f"{plan['label']:32} {stats['rps']:8.1f} req/s  p50 {stats['p50']:6.0f} ms  p95 {stats['p95']:6.0f} ms  errors {stats['errors']}"
                f"  server CPU {stats['cpu_web_ms']:.1f} + {stats['cpu_pg_ms']:.1f} ms/request",
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
            if not any("race" in t for t in args.only):
                return
        races = []
        for _ in range(args.races):
            before = cpu.snapshot()
            race = contention()
            web, pg = cpu.spent(before, cpu.snapshot())
            race["cpu_web_ms"] = web / max(race["clients"], 1) * 1000
            race["cpu_pg_ms"] = pg / max(race["clients"], 1) * 1000
            races.append(race)
            print(
                f"race {len(races)}: {race['requests_per_second']:.0f} answered/s, p50 {race['p50_ms']:.0f} ms, "
                f"p95 {race['p95_ms']:.0f} ms, overbookings {race['overbookings']}, errors {race['errors']}, "
                f"server CPU {race['cpu_web_ms']:.1f} + {race['cpu_pg_ms']:.1f} ms/request",
                flush=True,
            )
        if args.only:
            return
    finally:
        sampler.__exit__()
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    write_results(
        results,
        races,
        args,
        sizes=sizes,
        seed_seconds=seed_seconds,
        from_empty=from_empty,
        rss=sampler.summary(),
    )


# The goals of issue #18, checked by `goal_lines` (ratios to /healthz in the same run).
PAGE_GOAL = 0.40
BOOKING_GOAL = 0.25
BOOKING_LABEL = "booking POST"
RACE_RATE_GOAL = 100  # booking requests answered per second
RACE_P95_GOAL_MS = 1000


def _span(values) -> str:
    low, high = f"{min(values):.0f}", f"{max(values):.0f}"
    return low if low == high else f"{low}–{high}"


def goal_lines(results, races) -> list[str]:
    """The goals of #18 against this run, one table row each, with ✔ or ✘."""
    from bench.results_file import goal_table

    by_label = dict(results)
    health = by_label.get("/healthz")

    def ratio(stats) -> float:
        return stats["rps"] / health["rps"] if health and health["rps"] else 0.0

    rows = []
    pages = [(label, s) for label, s in results if label not in ("/healthz", BOOKING_LABEL)]
    if pages:
        low_label, low = min(pages, key=lambda item: ratio(item[1]))
        around = [
            (label, s["rps"] / s["health_adjacent"])
            for label, s in pages
            if s.get("health_adjacent")
        ]
        text = f"lowest {ratio(low):.2f} ({low_label})"
        if around:
            near_label, near = min(around, key=lambda item: item[1])
            text += (
                f"; against the /healthz runs around each page, lowest {near:.2f} ({near_label})"
            )
        rows.append((f"every page ≥ {PAGE_GOAL:.2f} of /healthz", text, ratio(low) >= PAGE_GOAL))
    booking = by_label.get(BOOKING_LABEL)
    if booking:
        rows.append(
            (
                f"booking POST ≥ {BOOKING_GOAL:.2f}",
                f"{ratio(booking):.2f}",
                ratio(booking) >= BOOKING_GOAL,
            )
        )
    if races:
        rates = [r["requests_per_second"] for r in races]
        p95s = [r["p95_ms"] for r in races]
        rows.append(
            (
                f"contention ≥ {RACE_RATE_GOAL} answered/s",
                f"{_span(rates)} in {len(races)} race{'s' if len(races) != 1 else ''}",
                min(rates) >= RACE_RATE_GOAL,
            )
        )
        rows.append(
            (
                f"contention p95 ≤ {RACE_P95_GOAL_MS / 1000:.0f} s",
                f"{_span(p95s)} ms",
                max(p95s) <= RACE_P95_GOAL_MS,
            )
        )
        overbookings = sum(r["overbookings"] for r in races)
        errors = sum(r["errors"] for r in races)
        rows.append(
            (
                "contention: 0 overbookings, 0 errors",
                f"{overbookings} overbookings, {errors} errors",
                not overbookings and not errors,
            )
        )
    return goal_table(rows)


class ServerCpu:
    """CPU seconds spent by gunicorn's workers and by their PostgreSQL backends.

    Bracketing a run with two snapshots gives the server's CPU per request, which unlike
    req/s does not drift with what else the machine is doing: what a target costs. The
    backends are found by the workers' own connections to PostgreSQL; one that appears
    during the run counts whole (persistent connections, ``DB_CONN_MAX_AGE``, rarely do).
    """

    def __init__(self, master_pid: int):
        from urllib.parse import urlsplit

        self.master_pid = master_pid
        self.pg_port = urlsplit(ENV["DATABASE_URL"]).port or 5432

    def snapshot(self) -> tuple[dict[int, float], dict[int, float]]:
        import psutil

        def cpu(proc) -> float | None:
            try:
                times = proc.cpu_times()
            except psutil.Error:
                return None
            return times.user + times.system

        workers = psutil.Process(self.master_pid).children()
        ports = set()
        for worker in workers:
            try:
                conns = worker.net_connections(kind="tcp")
            except psutil.Error:
                continue
            ports.update(c.laddr.port for c in conns if c.raddr and c.raddr.port == self.pg_port)
        rows = subprocess.run(
            [
                "psql",
                ENV["DATABASE_URL"],
                "-tAc",
                "SELECT pid, client_port FROM pg_stat_activity WHERE client_port IS NOT NULL",
            ],
            capture_output=True,
            text=True,
        ).stdout.split()
        backends = [int(pid) for pid, port in (r.split("|") for r in rows) if int(port) in ports]
        web = {w.pid: cpu(w) for w in workers}
        pg = {pid: cpu(psutil.Process(pid)) for pid in backends if psutil.pid_exists(pid)}
        return (
            {k: v for k, v in web.items() if v is not None},
            {k: v for k, v in pg.items() if v is not None},
        )

    @staticmethod
    def spent(before, after) -> tuple[float, float]:
        """(gunicorn, PostgreSQL) CPU seconds between two snapshots."""
        return tuple(
            sum(v - b.get(pid, 0.0) for pid, v in a.items())
            for b, a in zip(before, after, strict=True)
        )


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
    results, races, args, *, sizes: str, seed_seconds: float, from_empty: bool, rss: str = ""
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
        "The server CPU columns divide the CPU time of gunicorn's workers, and of their "
        "PostgreSQL backends, over the run by the requests answered: what a request costs, "
        "which unlike req/s does not drift with the rest of the machine.",
        "",
        "| target | req/s | ratio to /healthz | ratio to /healthz around it | p50 ms | p95 ms | errors "
        "| server CPU ms/request: gunicorn | PostgreSQL |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, s in results:
        ratio = s["rps"] / health["rps"] if health and health["rps"] else 0
        near = f"{s['rps'] / s['health_adjacent']:.2f}" if s.get("health_adjacent") else "—"
        lines.append(
            f"| {label} | {s['rps']:.1f} | {ratio:.2f} | {near} | {s['p50']:.0f} | {s['p95']:.0f} | {s['errors']} "
            f"| {s['cpu_web_ms']:.1f} | {s['cpu_pg_ms']:.1f} |"
        )
    lines += [
        "",
        "## Contention",
        "",
        f"{races[0]['clients']} clients raced for {races[0]['seats']} seats across "
        f"{races[0]['sessions']} sessions, released together at a barrier; {len(races)} races one "
        "after another, each on new sessions. Answered/s counts the booking requests answered "
        "from the release to the last answer; p50 and p95 are each request's time from its "
        "send to its answer. CPU bound: the rate the server's CPU per request would allow "
        f"with all {os.cpu_count()} cores to itself.",
        "",
        "| race | answered/s | p50 ms | p95 ms | confirmed | waitlisted | overbookings | errors "
        "| server CPU ms/request: gunicorn | PostgreSQL | CPU bound req/s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for i, race in enumerate(races, 1):
        per_request = (race["cpu_web_ms"] + race["cpu_pg_ms"]) / 1000
        bound = f"{(os.cpu_count() or 1) / per_request:.0f}" if per_request else "—"
        lines.append(
            f"| {i} | **{race['requests_per_second']:.0f}** | {race['p50_ms']:.0f} | "
            f"**{race['p95_ms']:.0f}** | {race['confirmed']} | {race['waitlisted']} | "
            f"**{race['overbookings']}** | {race['errors']} | {race['cpu_web_ms']:.1f} | "
            f"{race['cpu_pg_ms']:.1f} | {bound} |"
        )
    lines += [
        "",
        "## Goals of #18 in this run",
        "",
        "Measured in this run, ratios to the first /healthz. `make bench-reminders` checks its "
        "own goals below; the query budgets are checked by `tests/test_query_budgets.py`.",
        "",
        *goal_lines(results, races),
        "",
    ]
    if rss:
        lines += [
            "## Memory",
            "",
            f"Peak RSS of a gunicorn worker during the run: {rss} (sampled every 0.5 s).",
            "",
        ]
    from bench.results_file import write_top

    write_top("\n".join(lines) + "\n")
    print("\n".join(lines))
    overbookings = sum(r["overbookings"] for r in races)
    errors_5xx = sum(s["errors"] for _, s in results) + sum(r["errors"] for r in races)
    if overbookings or errors_5xx:
        raise SystemExit(f"overbookings {overbookings}, errors {errors_5xx}")


if __name__ == "__main__":
    main()
