"""The three kinds of import: their columns, how each row is checked, matched and applied.

``check(kind, dataset, actor)`` is the dry run: it reads the database, writes nothing, and
returns a report with one entry per row — create, update, unchanged or refused — with the
reason per column. ``apply`` writes through the owning apps' services (accounts,
certification); the caller runs it inside one transaction, after checking again.

Matching (so a re-run changes nothing):
- people by email (case-insensitive);
- credentials by person and credential type (a person holds one of each type);
- training by person, date and title; one row carries the hours of each topic.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models.functions import Lower
from django.utils import timezone

from peerportal.accounts.models import STAFF_ROLES, Role, User, known_time_zones
from peerportal.certification.models import Certification, CETopic, CredentialType, TrainingRecord
from peerportal.core.models import Organization
from peerportal.core.spreadsheet import FORMULA_STARTS

from .models import ImportKind

EARLIEST = dt.date(1950, 1, 1)
MAX_EXPIRY_YEARS = 20
MAX_HOURS = Decimal(100)
HOURS_PREFIX = "hours_"
ELECTIVE = "elective"

PEOPLE_COLUMNS = ["email", "display_name", "role", "language", "time_zone"]
CREDENTIAL_COLUMNS = ["email", "credential_type", "number", "issued_on", "expires_on"]
TRAINING_BASE = ["email", "date", "title", "provider"]

REQUIRED = {
    ImportKind.PEOPLE: {"email", "display_name", "role"},
    ImportKind.CREDENTIALS: {"email", "credential_type"},
    ImportKind.TRAINING: {"email", "date", "title", "provider"},
}


def topic_codes() -> list[str]:
    return list(CETopic.objects.order_by("code").values_list("code", flat=True))


def columns_for(kind: str) -> list[str]:
    if kind == ImportKind.PEOPLE:
        return list(PEOPLE_COLUMNS)
    if kind == ImportKind.CREDENTIALS:
        return list(CREDENTIAL_COLUMNS)
    return TRAINING_BASE + [HOURS_PREFIX + ELECTIVE] + [HOURS_PREFIX + c for c in topic_codes()]


def local_today() -> dt.date:
    return timezone.localdate(timezone.now(), Organization.get().tzinfo)


# --- the report ---------------------------------------------------------------------------


@dataclass
class RowResult:
    line: int
    key: str = ""
    action: str = "unchanged"  # create, update, unchanged, refused
    values: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)  # [{"column", "code", "params"}]
    notes: list = field(default_factory=list)
    changes: list = field(default_factory=list)  # [{"column", "old", "new"}]
    apply_args: dict = field(default_factory=dict, repr=False)

    def error(self, column: str, code: str, **params) -> None:
        self.errors.append({"column": column, "code": code, "params": params})

    def note(self, column: str, code: str) -> None:
        self.notes.append({"column": column, "code": code, "params": {}})

    def change(self, column: str, old, new) -> None:
        self.changes.append({"column": column, "old": _show(old), "new": _show(new)})

    def as_report(self) -> dict:
        return {
            "line": self.line,
            "key": self.key,
            "action": self.action,
            "values": self.values,
            "errors": self.errors,
            "notes": self.notes,
            "changes": self.changes,
        }


def _show(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def check_headers(kind: str, headers: list[str]) -> list[dict]:
    """File-level errors for the header row: missing, unknown or repeated columns."""
    errors = []
    known = set(columns_for(kind))
    repeated = sorted({h for h in headers if headers.count(h) > 1})
    if repeated:
        errors.append({"code": "duplicate_columns", "params": {"columns": ", ".join(repeated)}})
    missing = [c for c in columns_for(kind) if c in REQUIRED[kind] and c not in headers]
    if kind == ImportKind.TRAINING and not any(h.startswith(HOURS_PREFIX) for h in headers):
        missing.append(HOURS_PREFIX + ELECTIVE)
    if missing:
        errors.append({"code": "missing_columns", "params": {"columns": ", ".join(missing)}})
    unknown = [h for h in headers if h not in known]
    if unknown:
        errors.append({"code": "unknown_columns", "params": {"columns": ", ".join(unknown)}})
    return errors


# --- cell parsers: each returns the value or records an error and returns None -----------


def _text(row: RowResult, column: str, *, limit: int, required: bool = False) -> str | None:
    value = row.values.get(column, "").strip()
    if not value:
        if required:
            row.error(column, "required")
        return "" if not required else None
    if len(value) > limit:
        row.error(column, "too_long", limit=limit)
        return None
    return value


def _date(
    row: RowResult, column: str, *, required: bool, latest: dt.date | None, future_ok: bool = False
):
    raw = row.values.get(column, "").strip()
    if not raw:
        if required:
            row.error(column, "required")
        return None
    try:
        value = dt.date.fromisoformat(raw[:10]) if len(raw) in (10, 19) else None
    except ValueError:
        value = None
    if value is None or (len(raw) == 19 and raw[10:] != "T00:00:00"):
        row.error(column, "bad_date", value=raw[:40])
        return None
    if value < EARLIEST:
        row.error(column, "date_too_early", limit=EARLIEST.isoformat())
        return None
    if latest is not None and value > latest:
        row.error(
            column, "date_too_late" if future_ok else "date_in_future", limit=latest.isoformat()
        )
        return None
    return value


def _hours(row: RowResult, column: str) -> Decimal | None:
    raw = row.values.get(column, "").strip()
    if not raw:
        return Decimal(0)
    try:
        value = Decimal(raw)
    except InvalidOperation:
        row.error(column, "bad_hours", value=raw[:40])
        return None
    if not value.is_finite() or value < 0 or value > MAX_HOURS or value != round(value, 2):
        row.error(column, "hours_range", limit=int(MAX_HOURS))
        return None
    return value


def _formula_cells(row: RowResult) -> set[str]:
    bad = set()
    for column, value in row.values.items():
        if isinstance(value, str) and value.startswith(FORMULA_STARTS):
            row.error(column, "formula")
            bad.add(column)
    return bad


def _email(row: RowResult) -> str | None:
    email = _text(row, "email", limit=254, required=True)
    if not email:
        return None
    try:
        validate_email(email)
    except ValidationError:
        row.error("email", "bad_email")
        return None
    return email


def _users_by_email(emails) -> dict[str, User]:
    emails = sorted({e.lower() for e in emails if e})
    found: dict[str, User] = {}
    for start in range(0, len(emails), 900):
        chunk = emails[start : start + 900]
        for user in User.objects.annotate(email_lower=Lower("email")).filter(email_lower__in=chunk):
            found[user.email.lower()] = user
    return found


def _person(row: RowResult, email: str | None, users: dict, actor) -> User | None:
    if email is None:
        return None
    person = users.get(email.lower())
    if person is None or person.erased_at is not None:
        row.error("email", "unknown_person")
        return None
    if person.role not in STAFF_ROLES:
        row.error("email", "not_staff")
        return None
    if actor is not None and person.pk == actor.pk:
        row.error("email", "own_record")
        return None
    return person


# --- the kinds ----------------------------------------------------------------------------


def _check_people(rows: list[RowResult], actor) -> None:
    users = _users_by_email(r.values.get("email", "").strip() for r in rows)
    seen: dict[str, int] = {}
    languages = [code for code, _name in settings.LANGUAGES]
    for row in rows:
        bad = _formula_cells(row)
        email = None if "email" in bad else _email(row)
        name = (
            None if "display_name" in bad else _text(row, "display_name", limit=80, required=True)
        )
        role = language = time_zone = None
        if "role" not in bad:
            raw = row.values.get("role", "").strip().lower().replace(" ", "_")
            if not raw:
                row.error("role", "required")
            elif raw not in Role.values:
                row.error("role", "bad_role", value=raw[:40], choices=", ".join(Role.values))
            else:
                role = raw
        if "language" not in bad:
            language = row.values.get("language", "").strip().lower() or "en"
            if language not in languages:
                row.error(
                    "language", "bad_language", value=language[:20], choices=", ".join(languages)
                )
        if "time_zone" not in bad:
            time_zone = row.values.get("time_zone", "").strip()
            if time_zone and time_zone not in known_time_zones():
                row.error("time_zone", "bad_time_zone", value=time_zone[:64])
        if email:
            row.key = email
            first = seen.setdefault(email.lower(), row.line)
            if first != row.line:
                row.error("email", "duplicate_in_file", what="email", line=first)
        if row.errors:
            row.action = "refused"
            continue
        existing = users.get(email.lower())
        if existing is None:
            row.action = "create"
            row.apply_args = {
                "email": email,
                "display_name": name,
                "role": role,
                "preferred_language": language,
                "time_zone": time_zone,
            }
            continue
        if existing.erased_at is not None:
            row.error("email", "erased")
            row.action = "refused"
            continue
        for column, old, new in (
            ("display_name", existing.display_name, name),
            ("language", existing.preferred_language, language),
            ("time_zone", existing.time_zone, time_zone),
        ):
            if old != new:
                row.note(column, "kept_own_choice")
        if existing.role != role:
            if actor is not None and existing.pk == actor.pk:
                row.error("role", "own_role")
                row.action = "refused"
                continue
            row.change("role", existing.role, role)
            row.action = "update"
        # An invitation (if asked for) also reaches people imported before who never came in.
        waiting = not existing.has_usable_password() and existing.last_login is None
        row.apply_args = {"user": existing, "role": role, "invite": waiting and existing.is_active}


def _check_credentials(rows: list[RowResult], actor) -> None:
    users = _users_by_email(r.values.get("email", "").strip() for r in rows)
    types = {t.code.lower(): t for t in CredentialType.objects.all()}
    choices = ", ".join(sorted(t.code for t in types.values()))
    holders = {u.pk for u in users.values()}
    existing = {
        (c.holder_id, c.credential_type_id): c
        for c in Certification.objects.filter(holder_id__in=holders)
    }
    numbers = {
        (type_id, number.lower()): holder_id
        for type_id, number, holder_id in Certification.objects.exclude(number="").values_list(
            "credential_type_id", "number", "holder_id"
        )
    }
    today = local_today()
    seen: dict[tuple, int] = {}
    for row in rows:
        bad = _formula_cells(row)
        email = None if "email" in bad else _email(row)
        person = _person(row, email, users, actor)
        ctype = None
        if "credential_type" not in bad:
            code = row.values.get("credential_type", "").strip()
            if not code:
                row.error("credential_type", "required")
            elif code.lower() not in types:
                row.error(
                    "credential_type", "unknown_credential_type", value=code[:60], choices=choices
                )
            else:
                ctype = types[code.lower()]
        number = None if "number" in bad else _text(row, "number", limit=60)
        issued = None
        if "issued_on" not in bad:
            issued = _date(row, "issued_on", required=False, latest=today)
        expires = None
        if "expires_on" not in bad:
            latest = today.replace(year=today.year + MAX_EXPIRY_YEARS, day=min(today.day, 28))
            expires = _date(row, "expires_on", required=False, latest=latest, future_ok=True)
            if expires and not issued and not row.values.get("issued_on", "").strip():
                row.error("expires_on", "expiry_without_issue")
            elif expires and issued and expires <= issued:
                row.error("expires_on", "expiry_before_issue")
        if number and not row.values.get("issued_on", "").strip():
            held = existing.get((person.pk, ctype.pk)) if person and ctype else None
            if held is None or held.number != number:  # (an export of it imports unchanged)
                row.error("number", "number_without_issue")
        if email and ctype:
            row.key = f"{email} · {ctype.code}"
            first = seen.setdefault((email.lower(), ctype.pk), row.line)
            if first != row.line:
                row.error("credential_type", "duplicate_in_file", what="credential", line=first)
        if person and ctype and number:
            holder = numbers.get((ctype.pk, number.lower()))
            if holder is not None and holder != person.pk:
                row.error("number", "number_taken")
        if row.errors:
            row.action = "refused"
            continue
        cert = existing.get((person.pk, ctype.pk))
        args = {
            "holder": person,
            "credential_type": ctype,
            "number": number,
            "issued_on": issued,
            "expires_on": expires,
        }
        if cert is None:
            row.action = "create"
            row.apply_args = args
            continue
        if not issued:
            if cert.issued_on:
                row.note("issued_on", "empty_keeps")
            continue
        if not number and cert.number:
            row.note("number", "empty_keeps")
        for column, old, new in (
            ("number", cert.number, number or cert.number),
            ("issued_on", cert.issued_on, issued),
            ("expires_on", cert.expires_on, expires),
        ):
            if old != new:
                row.change(column, old, new)
        if row.changes:
            row.action = "update"
            row.apply_args = args


def _check_training(rows: list[RowResult], actor) -> None:
    users = _users_by_email(r.values.get("email", "").strip() for r in rows)
    topics = {t.code: t for t in CETopic.objects.all()}
    today = local_today()
    groups: dict[tuple, list[TrainingRecord]] = {}
    for record in TrainingRecord.objects.filter(
        person_id__in=[u.pk for u in users.values()]
    ).select_related("topic"):
        groups.setdefault((record.person_id, record.completed_on, record.course), []).append(record)
    seen: dict[tuple, int] = {}
    for row in rows:
        bad = _formula_cells(row)
        email = None if "email" in bad else _email(row)
        person = _person(row, email, users, actor)
        date = None if "date" in bad else _date(row, "date", required=True, latest=today)
        title = None if "title" in bad else _text(row, "title", limit=200, required=True)
        provider = None if "provider" in bad else _text(row, "provider", limit=150, required=True)
        hours: dict[str, Decimal] = {}
        for column in row.values:
            if column.startswith(HOURS_PREFIX) and column not in bad:
                value = _hours(row, column)
                if value:
                    hours[column.removeprefix(HOURS_PREFIX)] = value
        hour_errors = any(e["column"].startswith(HOURS_PREFIX) for e in row.errors)
        if not hours and not hour_errors:
            row.error(HOURS_PREFIX + ELECTIVE, "no_hours")
        if email and date and title:
            row.key = f"{email} · {date.isoformat()} · {title}"
            first = seen.setdefault((email.lower(), date, title), row.line)
            if first != row.line:
                row.error("title", "duplicate_in_file", what="training", line=first)
        if row.errors:
            row.action = "refused"
            continue
        by_topic = {(None if code == ELECTIVE else topics[code]): h for code, h in hours.items()}
        args = {
            "person": person,
            "completed_on": date,
            "course": title,
            "provider": provider,
            "hours_by_topic": by_topic,
        }
        records = groups.get((person.pk, date, title))
        if not records:
            row.action = "create"
            row.apply_args = args
            continue
        if any(r.provider != provider for r in records):
            row.change("provider", records[0].provider, provider)
        current = {(r.topic.code if r.topic else ELECTIVE): r.hours for r in records}
        for code, value in hours.items():
            if current.get(code) != value:
                row.change(HOURS_PREFIX + code, current.get(code), value)
        if row.changes:
            row.action = "update"
            row.apply_args = args


CHECKERS: dict[str, Callable] = {
    ImportKind.PEOPLE: _check_people,
    ImportKind.CREDENTIALS: _check_credentials,
    ImportKind.TRAINING: _check_training,
}


@dataclass
class CheckResult:
    file_errors: list
    rows: list[RowResult]

    @property
    def counts(self) -> dict:
        counts = {"create": 0, "update": 0, "unchanged": 0, "refused": 0}
        for row in self.rows:
            counts[row.action] += 1
        return counts

    @property
    def can_apply(self) -> bool:
        return not self.file_errors and self.counts["refused"] == 0 and bool(self.rows)

    def as_report(self) -> dict:
        return {
            "file_errors": self.file_errors,
            "rows": [r.as_report() for r in self.rows],
            "counts": self.counts,
        }


def check(kind: str, dataset, *, actor) -> CheckResult:
    """The dry run of ``dataset`` (from ``reading.read_rows``). Reads only."""
    headers = list(dataset.headers or [])
    file_errors = check_headers(kind, headers)
    if file_errors:
        return CheckResult(file_errors, [])
    numbers = getattr(dataset, "row_numbers", None) or range(2, dataset.height + 2)
    rows = [
        RowResult(line=number, values={h: (v or "") for h, v in zip(headers, values, strict=True)})
        for number, values in zip(numbers, dataset, strict=True)
    ]
    CHECKERS[kind](rows, actor)
    return CheckResult([], rows)
