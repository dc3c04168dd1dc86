"""Spanish: every user-facing string of the portal is translated, and the compiled
catalogue matches its source.

The test extracts the strings afresh from a copy of the sources (Django's makemessages,
which needs GNU gettext), so a string added to a template or view without a Spanish
translation fails here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

BASE = Path(__file__).resolve().parent.parent
PO = BASE / "locale" / "es" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")

pytestmark = pytest.mark.skipif(
    shutil.which("xgettext") is None, reason="GNU gettext is needed (apt-get install gettext)"
)


def _extract(tmp_path: Path) -> polib.POFile:
    work = tmp_path / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "migrations")
    shutil.copytree(BASE / "peerportal", work / "peerportal", ignore=ignore)
    shutil.copytree(BASE / "templates", work / "templates", ignore=ignore)
    shutil.copy(BASE / "manage.py", work / "manage.py")
    (work / "locale").mkdir()
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="peerportal.settings",
        SECRET_KEY=env.get("SECRET_KEY", "translation-test-key-" + "x" * 40),
        PEERPORTAL_VAR_DIR=str(tmp_path / "var"),
    )
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "es", "--no-location", "--no-obsolete"],
        cwd=work,
        env=env,
        check=True,
        capture_output=True,
    )
    return polib.pofile(str(work / "locale" / "es" / "LC_MESSAGES" / "django.po"))


def test_every_string_has_a_spanish_translation(tmp_path):
    fresh = _extract(tmp_path)
    committed = polib.pofile(str(PO))
    done = {(e.msgctxt, e.msgid) for e in committed if e.translated() and "fuzzy" not in e.flags}
    missing = [e.msgid for e in fresh if (e.msgctxt, e.msgid) not in done]
    assert not missing, f"{len(missing)} strings lack a Spanish translation, e.g. {missing[:10]}"


def test_translations_keep_their_placeholders():
    for entry in polib.pofile(str(PO)):
        if not entry.translated():
            continue
        for token in ("%(", "{", "%s"):
            sources = [entry.msgid, entry.msgid_plural] if entry.msgid_plural else [entry.msgid]
            translations = (
                list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
            )
            if any(token in s for s in sources):
                assert all(token in t for t in translations), entry.msgid


def test_compiled_catalogue_is_up_to_date(tmp_path):
    out = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(out), str(PO)], check=True)
    assert MO.exists(), "run: python manage.py compilemessages"
    assert polib.mofile(str(MO)).percent_translated() == polib.mofile(str(out)).percent_translated()
    assert {e.msgid: e.msgstr for e in polib.mofile(str(MO))} == {
        e.msgid: e.msgstr for e in polib.mofile(str(out))
    }


def test_pages_render_in_spanish(client, db):
    client.cookies["django_language"] = "es"
    html = client.get("/", headers={"accept-language": "es"}).content.decode()
    assert 'lang="es"' in html
    assert "Crear una cuenta" in html
