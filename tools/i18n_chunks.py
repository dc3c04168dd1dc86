"""Split the untranslated Spanish entries into JSON chunks, and merge translated chunks back.

    python tools/i18n_chunks.py split N      # locale/es/.../django.po -> var/i18n/chunk-K.json
    python tools/i18n_chunks.py merge        # var/i18n/chunk-K.json (translated) -> django.po
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import polib

PO = Path("locale/es/LC_MESSAGES/django.po")
OUT = Path("var/i18n")


def split(n: int) -> None:
    po = polib.pofile(str(PO))
    todo = [e for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    OUT.mkdir(parents=True, exist_ok=True)
    for k in range(n):
        part = todo[k::n]
        rows = [
            {"msgctxt": e.msgctxt, "msgid": e.msgid, "msgid_plural": e.msgid_plural or None, "msgstr": "", "msgstr_plural": ["", ""] if e.msgid_plural else None}
            for e in part
        ]
        (OUT / f"chunk-{k}.json").write_text(json.dumps(rows, ensure_ascii=False, indent=1))
    print(f"{len(todo)} entries in {n} chunks under {OUT}")


def merge() -> None:
    po = polib.pofile(str(PO))
    index = {(e.msgctxt, e.msgid): e for e in po}
    count = 0
    for path in sorted(OUT.glob("chunk-*.json")):
        for row in json.loads(path.read_text()):
            entry = index.get((row.get("msgctxt"), row["msgid"]))
            if entry is None:
                continue
            if row.get("msgid_plural"):
                plural = row.get("msgstr_plural") or []
                if len(plural) >= 2 and all(plural):
                    entry.msgstr_plural = {0: plural[0], 1: plural[1]}
                    count += 1
            elif row.get("msgstr"):
                entry.msgstr = row["msgstr"]
                count += 1
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
    po.save(str(PO))
    print(f"merged {count} translations")


if __name__ == "__main__":
    {"split": lambda: split(int(sys.argv[2])), "merge": merge}[sys.argv[1]]()
