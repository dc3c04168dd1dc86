"""bench/results.md: the parts `make bench` and `make bench-reminders` write; the rest is kept.

* `make bench` rewrites everything above ``KEEP_MARKER`` (its tables and its goal check).
* `make bench-reminders` rewrites one block below that marker, between its own begin and end
  lines: one block for a run without kills, one for a run with kills. A block not yet in the
  file goes below the marker and the blocks already there, above the notes of earlier
  sessions.
* Everything else (profiles, notes, what each change bought) is written by hand and kept.
"""

from __future__ import annotations

from pathlib import Path

PATH = Path(__file__).resolve().parent / "results.md"
KEEP_MARKER = "<!-- make bench rewrites the part above this line; the part below is kept -->"


END_PREFIX = "<!-- make bench-reminders writes to here ("


def goal_table(rows) -> list[str]:
    """The goals checked against a run, as markdown: rows of (goal, this run's value, met)."""
    lines = ["| goal | this run | met |", "|---|---|:-:|"]
    lines += [f"| {goal} | {value} | {'✔' if ok else '✘'} |" for goal, value, ok in rows]
    return lines


def _block_lines(name: str) -> tuple[str, str]:
    return (f"<!-- make bench-reminders writes from here ({name}) -->", f"{END_PREFIX}{name}) -->")


def write_top(text: str, path: Path = PATH) -> None:
    """`make bench`: replace the part above the marker, keep the rest."""
    kept = ""
    if path.exists():
        current = path.read_text()
        if KEEP_MARKER in current:
            kept = current.split(KEEP_MARKER, 1)[1]
    path.write_text(text.rstrip("\n") + "\n\n" + KEEP_MARKER + kept)


def write_block(name: str, text: str, path: Path = PATH) -> None:
    """`make bench-reminders`: replace block ``name`` (or add it below the marker)."""
    begin, end = _block_lines(name)
    block = f"{begin}\n{text.strip()}\n{end}"
    current = path.read_text() if path.exists() else KEEP_MARKER + "\n"
    if KEEP_MARKER not in current:
        current = current.rstrip("\n") + "\n\n" + KEEP_MARKER + "\n"
    if begin in current and end in current.split(begin, 1)[1]:
        head, rest = current.split(begin, 1)
        tail = rest.split(end, 1)[1]
        path.write_text(head + block + tail)
        return
    top, kept = current.split(KEEP_MARKER, 1)
    # After the blocks already there (in the order first written), above the notes.
    last_end = kept.rfind(END_PREFIX)
    if last_end >= 0:
        cut = kept.index("\n", last_end) + 1 if "\n" in kept[last_end:] else len(kept)
        before, after = kept[:cut], kept[cut:]
        path.write_text(top + KEEP_MARKER + before + "\n" + block + "\n\n" + after.lstrip("\n"))
        return
    path.write_text(top + KEEP_MARKER + "\n\n" + block + "\n\n" + kept.lstrip("\n"))
