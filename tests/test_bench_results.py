"""bench/results.md is written by `make bench` and `make bench-reminders` (issue #18's
acceptance): each writes its own part, checks the goals against its run, and keeps the notes
written by hand."""

from bench.load import goal_lines
from bench.reminders import results_block
from bench.results_file import KEEP_MARKER, write_block, write_top

NOTES = "\n## Session 9\n\nNotes written by hand.\n"


def test_make_bench_rewrites_its_part_and_keeps_the_notes(tmp_path):
    path = tmp_path / "results.md"
    path.write_text("# old table\n" + KEEP_MARKER + NOTES)
    write_top("# new table\n", path)
    assert path.read_text() == "# new table\n\n" + KEEP_MARKER + NOTES


def test_make_bench_on_a_new_file(tmp_path):
    path = tmp_path / "results.md"
    write_top("# table\n", path)
    assert path.read_text() == "# table\n\n" + KEEP_MARKER


def test_reminder_blocks_go_below_the_marker_and_replace_only_themselves(tmp_path):
    path = tmp_path / "results.md"
    path.write_text("# table\n" + KEEP_MARKER + NOTES)
    write_block("no kill", "plain run 1", path)
    write_block("kills", "kill run 1", path)
    write_block("no kill", "plain run 2", path)
    text = path.read_text()
    assert "plain run 1" not in text
    assert text.count("plain run 2") == 1 and text.count("kill run 1") == 1
    top, below = text.split(KEEP_MARKER)
    assert top == "# table\n"
    # Both blocks sit above the hand-written notes, which are kept whole, in the order they
    # were first written.
    assert below.index("plain run 2") < below.index("kill run 1") < below.index("## Session 9")
    assert below.endswith(NOTES.lstrip("\n"))
    # make bench's rewrite keeps the blocks.
    write_top("# new table\n", path)
    assert "plain run 2" in path.read_text() and "kill run 1" in path.read_text()


def _stats(rps, around=None):
    out = {"rps": rps}
    if around:
        out["health_adjacent"] = around
    return out


def _race(rate, p95, overbookings=0, errors=0):
    return {
        "requests_per_second": rate,
        "p95_ms": p95,
        "overbookings": overbookings,
        "errors": errors,
    }


def test_goal_lines_mark_each_goal_of_the_run():
    results = [
        ("/healthz", _stats(400)),
        ("team (supervisor)", _stats(180, around=390)),
        ("my bookings", _stats(200, around=350)),
        ("booking POST", _stats(120, around=400)),
    ]
    text = "\n".join(goal_lines(results, [_race(250, 700), _race(180, 950)]))
    assert "| every page ≥ 0.40 of /healthz | lowest 0.45 (team (supervisor))" in text
    assert "lowest 0.46 (team (supervisor))" in text  # against the runs around it
    assert "| booking POST ≥ 0.25 | 0.30 | ✔ |" in text
    assert "| contention ≥ 100 answered/s | 180–250 in 2 races | ✔ |" in text
    assert "| contention p95 ≤ 1 s | 700–950 ms | ✔ |" in text
    assert "| contention: 0 overbookings, 0 errors | 0 overbookings, 0 errors | ✔ |" in text
    assert "✘" not in text


def test_goal_lines_mark_a_miss():
    results = [("/healthz", _stats(400)), ("groups directory", _stats(150))]
    text = "\n".join(goal_lines(results, [_race(90, 1006, overbookings=1)]))
    assert "lowest 0.38 (groups directory) | ✘ |" in text
    assert "| contention ≥ 100 answered/s | 90 in 1 race | ✘ |" in text
    assert "| contention p95 ≤ 1 s | 1006 ms | ✘ |" in text
    assert "| 1 overbookings, 0 errors | ✘ |" in text


def _report(**changes):
    report = {
        "at": 0,
        "count": 10_000,
        "concurrency": 4,
        "kill_after": 0,
        "lease": 10,
        "claim_timeout": 30,
        "kills": [],
        "sent": 10_000,
        "elapsed": 21.5,
        "timed_out": False,
        "rate": 465,
        "cpu_ms": 2.1,
        "duplicates": 0,
        "losses": 0,
        "before_kill_ms": [],
        "window": (0.15, 2.2, 0.081),
    }
    report.update(changes)
    return report


def test_reminder_block_without_kills_checks_time_duplicates_and_losses():
    name, text = results_block(_report())
    assert name == "no kill"
    assert "| 10,000 reminders in ≤ 30 s with one worker | 21.5 s | ✔ |" in text
    assert "| 0 duplicates | 0 | ✔ |" in text and "| 0 losses | 0 | ✔ |" in text
    name, text = results_block(_report(elapsed=31.0))
    assert "| 31.0 s | ✘ |" in text


def test_reminder_block_with_kills_reports_each_kill_and_the_window():
    name, text = results_block(
        _report(
            kill_after=2500,
            kills=[{"duplicates": 0}, {"duplicates": 1}, {"duplicates": 0}],
            duplicates=1,
            before_kill_ms=[-0.3, 3.7],
            elapsed=35.0,
        )
    )
    assert name == "kills"
    assert "--kill-after 2500 --kills 3 --lease 10 --claim-timeout 30" in text
    assert "duplicates per kill: 0, 1, 0." in text
    assert "duplicates 3.7 ms before, 0.3 ms after the kill" in text
    assert "median 0.15 ms, p99 2.20 ms" in text
    assert "| 0 duplicates | 1 | ✘ |" in text
    # A run with kills waits out send leases: the time goal belongs to the run without.
    assert "≤ 30 s" not in text
