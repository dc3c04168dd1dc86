"""Every environment variable the settings read is documented in the README (keep the README
true: a setting nobody can find is a setting nobody can change)."""

import re
from pathlib import Path

BASE = Path(__file__).resolve().parents[2]

# env_str("NAME", …), env_int(…), env_bool(…), env_list(…), env_secret(…), environ.Env().str(…),
# _env.email_url(…): the first argument is the variable's name, possibly on the next line.
READS = re.compile(r"(?:\benv_\w+|\.str|\.email_url)\(\s*\"([A-Z][A-Z0-9_]+)\"")


def settings_variables() -> set[str]:
    return set(READS.findall((BASE / "peerportal" / "settings.py").read_text()))


def test_the_pattern_finds_the_settings_variables():
    found = settings_variables()
    # One of each way of reading, so a change of helper cannot make the check pass empty.
    assert {
        "SECRET_KEY",
        "DATABASE_URL",
        "DB_PREPARED_STATEMENTS",
        "ALLOWED_HOSTS",
        "EMAIL_URL",
        "PEERPORTAL_VAR_DIR",
        "CACHE_URL",
        "REMINDER_SEND_LEASE",
    } <= found


def test_every_variable_the_settings_read_is_in_the_readme():
    readme = (BASE / "README.md").read_text()
    missing = sorted(name for name in settings_variables() if f"`{name}`" not in readme)
    assert not missing, f"not documented in README.md: {missing}"
