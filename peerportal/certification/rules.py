"""The credential rule engine: cycles, progress and status, computed from data.

Pure functions over a credential type, a certification and its approved records, so the
boundaries (exactly enough hours, one hour short, expiry day, grace end) are easy to test.

* A cycle ends on its expiry date: valid while ``day < expires_on``.
* Anniversary cycles run ``cycle_months`` from the issue date; fixed cycles end on a
  calendar date (e.g. 1 September of odd-numbered years) — the first such date after issue.
* At each cycle's end the certification renews if that cycle's requirements were met
  (or waived); otherwise it is in grace for ``grace_days``, then lapsed.
* An expiry date recorded from the certificate (``expires_on``) wins over the computed
  one and does not renew by itself: past it the holder is in grace, then lapsed, until the
  renewal is recorded (a new issue date).
* Requirements: a CE total with per-topic minimums counted inside it (the rest is
  elective, unless only the listed topics count); where the credential counts only approved providers, other events count only
  when the holder asked for credit and a supervisor approved the record (the review is
  the request-for-credit step); where it asks for an attestation, the cycle needs one
  that has not failed an audit. A waiver (first cycle, issued within N months of its
  end) covers all of these.
* Expiring soon: within ``expiring_soon_days`` of the end with the cycle's requirements
  not yet met (or always, for a recorded expiry that will not renew by itself).
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from dataclasses import dataclass, field
from decimal import Decimal
from operator import attrgetter

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

ZERO = Decimal("0")


class Status:
    IN_TRAINING = "in_training"
    ACTIVE = "active"
    EXPIRING = "expiring"
    IN_GRACE = "in_grace"
    LAPSED = "lapsed"


STATUS_LABELS = {
    Status.IN_TRAINING: _("In training"),
    Status.ACTIVE: _("Active"),
    Status.EXPIRING: _("Expiring soon"),
    Status.IN_GRACE: _("In grace period"),
    Status.LAPSED: _("Lapsed"),
}


_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by ``months`` (negative: back), on the same day of the month or the
    month's last day when it has fewer (31 January + 1 month = 28 or 29 February): what
    ``day + relativedelta(months=months)`` gives, in plain arithmetic (the rules add months
    for every cycle of every certification a page shows, and relativedelta is ≈ 20 Python
    calls an addition)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    last = _MONTH_DAYS[month - 1]
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        last = 29
    return dt.date(year, month, day.day if day.day <= last else last)


def _fixed_date(ctype, year: int) -> dt.date:
    """The fixed expiry day in ``year``; a day the month lacks (29 February in a common
    year, 31 April) falls on the month's last day."""
    last = calendar.monthrange(year, ctype.fixed_month)[1]
    return dt.date(year, ctype.fixed_month, min(ctype.fixed_day, last))


def _parity_ok(ctype, year: int) -> bool:
    return ctype.fixed_year_parity == "any" or (year % 2 == 1) == (ctype.fixed_year_parity == "odd")


def next_cycle_end(ctype, start: dt.date) -> dt.date:
    """The expiry date of the cycle that starts on ``start``."""
    if ctype.cycle_kind == "fixed":
        year = start.year
        while True:
            candidate = _fixed_date(ctype, year)
            if candidate > start and _parity_ok(ctype, year):
                return candidate
            year += 1
    return add_months(start, ctype.cycle_months)


@dataclass
class Cycle:
    start: dt.date
    end: dt.date  # the expiry date (first day no longer valid)


def cycles(ctype, issued_on: dt.date, until: dt.date, limit: int = 100, first_end=None):
    """The cycles from ``issued_on`` (or a printed first expiry) until one ends after ``until``.

    Anniversary cycles are counted from their anchor, not from the previous end, so a
    credential issued on 29 February expires on 28 February in common years and on
    29 February again in leap years, instead of drifting to the 28th for good.
    """
    start = issued_on
    for step in range(limit):
        if step == 0 and first_end:
            end = first_end
        elif ctype.cycle_kind == "fixed":
            end = next_cycle_end(ctype, start)
        else:
            anchor, count = (first_end, step) if first_end else (issued_on, step + 1)
            end = add_months(anchor, ctype.cycle_months * count)
        yield Cycle(start, end)
        if end > until:
            return
        start = end


@dataclass
class Requirement:
    label: str
    required: Decimal
    done: Decimal

    @property
    def met(self) -> bool:
        return self.done >= self.required

    @property
    def short_by(self) -> Decimal:
        return max(ZERO, self.required - self.done)

    @property
    def percent(self) -> int:
        if not self.required:
            return 100
        return min(100, int(self.done * 100 / self.required))


@dataclass
class Progress:
    requirements: list[Requirement] = field(default_factory=list)
    waived: bool = False

    @property
    def met(self) -> bool:
        return self.waived or all(r.met for r in self.requirements)


@functools.lru_cache(maxsize=2048)
def _norm(text: str) -> str:
    """Course and provider names compared without case or extra spaces (remembered: a
    page compares the same few names for every cycle of every certification it shows)."""
    return " ".join((text or "").lower().split())


def _approved_provider_names(ctype) -> set[str] | None:
    if not ctype.requires_approved_provider:
        return None
    return {_norm(p.name) for p in ctype.approved_providers.all()}


def _date_order(record):
    return (record.completed_on, record.pk or 0)


_BY_DATE_AND_PK = attrgetter("completed_on", "pk")


def _by_date(records: list) -> list:
    """``sorted(records, key=_date_order)``: by completion date, then id (an unsaved
    record's None as 0). The key is read in C when the ids are set; only a tie on a date
    with an unsaved record (its None cannot be compared) needs the Python key, from the
    original order again (``sorted`` leaves its input as it was)."""
    try:
        return sorted(records, key=_BY_DATE_AND_PK)
    except TypeError:
        return sorted(records, key=_date_order)


def _classify(records, ctype, start: dt.date, end: dt.date, approved_providers) -> list:
    """(record, reason) for each approved CE record inside [start, end), in date order (a
    list: a generator's every step was a call, for every record of every cycle).

    ``reason`` is None when the record counts, else why not (a short code): ``provider``
    (not an approved provider and no credit requested) or ``repeat`` (the same course
    already counted in this cycle). The per-topic records that one training's attendance
    produced are one course, counted together.
    """
    seen: dict[str, object] = {}  # course -> the attendance (or record) that counted it
    # Picked before sorting (the same order: the sort is stable), so only this cycle's
    # records are sorted.
    in_cycle = [
        r
        for r in records
        if r.status == "approved" and not r.is_initial_training and start <= r.completed_on < end
    ]
    in_cycle = _by_date(in_cycle)
    once = ctype.same_course_once_per_cycle
    out = []
    for record in in_cycle:
        if (
            approved_providers is not None
            and _norm(record.provider) not in approved_providers
            and not record.credit_requested
        ):
            out.append((record, "provider"))
            continue
        key = _norm(record.course)
        credit_id = getattr(record, "credit_id", None)
        source = ("credit", credit_id) if credit_id else ("record", id(record))
        if once and seen.get(key, source) != source:
            out.append((record, "repeat"))
            continue
        seen.setdefault(key, source)
        out.append((record, None))
    return out


#: ``providers`` not given: read the credential's approved providers.
_LOOK_UP = object()


def countable(records, ctype, start: dt.date, end: dt.date, *, providers=_LOOK_UP) -> list:
    """Approved CE records inside [start, end).

    A course counts once per cycle if the rule says so (one training's topic lines are one
    course); where only approved providers count, other events need an approved credit
    request. ``providers``: ``_approved_provider_names(ctype)`` when the caller has it.
    """
    if providers is _LOOK_UP:
        providers = _approved_provider_names(ctype)
    return [r for r, reason in _classify(records, ctype, start, end, providers) if reason is None]


def ce_progress(
    ctype,
    requirements,
    records,
    cycle: Cycle,
    issued_on: dt.date,
    attested=frozenset(),
    *,
    providers=_LOOK_UP,
) -> Progress:
    """Total CE hours with per-topic minimums inside the total; the rest is elective.

    ``attested``: the end dates of cycles with a valid (not failed) attestation;
    ``providers``: as ``countable``'s.
    """
    waived = bool(
        ctype.waive_ce_if_issued_within_months
        and issued_on >= add_months(cycle.end, -ctype.waive_ce_if_issued_within_months)
        and cycle.start == issued_on
    )
    counted = countable(records, ctype, cycle.start, cycle.end, providers=providers)
    if not ctype.elective_hours_count:
        listed = {req.topic_id for req in requirements}
        counted = [r for r in counted if r.topic_id in listed]
    by_topic: dict[int | None, Decimal] = {}
    for record in counted:
        by_topic[record.topic_id] = by_topic.get(record.topic_id, ZERO) + Decimal(record.hours)
    total = sum(by_topic.values(), ZERO)
    items = (
        [Requirement("total", Decimal(ctype.ce_hours_per_cycle), total)]
        if ctype.ce_hours_per_cycle
        else []
    )
    for req in requirements:
        items.append(
            Requirement(req.topic.name, Decimal(req.min_hours), by_topic.get(req.topic_id, ZERO))
        )
    if ctype.attestation_required:
        items.append(
            Requirement("attestation", Decimal(1), Decimal(1 if cycle.end in attested else 0))
        )
    return Progress(items, waived)


def initial_progress(ctype, records, supervised_hours: Decimal) -> Progress:
    initial = sum(
        (Decimal(r.hours) for r in records if r.status == "approved" and r.is_initial_training),
        ZERO,
    )
    items = []
    if ctype.initial_training_hours:
        items.append(
            Requirement("initial training", Decimal(ctype.initial_training_hours), initial)
        )
    if ctype.supervised_hours_required:
        items.append(
            Requirement(
                "supervised practice", Decimal(ctype.supervised_hours_required), supervised_hours
            )
        )
    return Progress(items)


@dataclass
class Standing:
    status: str
    expires_on: dt.date | None
    cycle: Cycle | None
    progress: Progress | None

    def days_to_expiry(self, on: dt.date) -> int | None:
        return (self.expires_on - on).days if self.expires_on else None


def standing(
    ctype,
    requirements,
    issued_on: dt.date | None,
    records,
    on: dt.date,
    *,
    expires_on: dt.date | None = None,
    attested=frozenset(),
) -> Standing:
    """Status on ``on`` from the rules and the approved records (see the module notes)."""
    if issued_on is None or on < issued_on:
        return Standing(Status.IN_TRAINING, None, None, None)
    providers = _approved_provider_names(ctype)  # once, not once a cycle
    cycle, progress = _deciding_cycle(
        ctype, requirements, issued_on, records, on, expires_on, attested, providers
    )
    if cycle is None:  # pragma: no cover — cycles() always yields
        return Standing(Status.LAPSED, None, None, None)
    if on < cycle.end:
        progress = ce_progress(
            ctype, requirements, records, cycle, issued_on, attested, providers=providers
        )
        soon = (cycle.end - on).days <= ctype.expiring_soon_days and (
            expires_on is not None or not progress.met
        )
        return Standing(Status.EXPIRING if soon else Status.ACTIVE, cycle.end, cycle, progress)
    if on < cycle.end + dt.timedelta(days=ctype.grace_days):
        return Standing(Status.IN_GRACE, cycle.end, cycle, progress)
    return Standing(Status.LAPSED, cycle.end, cycle, progress)


def _deciding_cycle(ctype, requirements, issued_on, records, on, expires_on, attested, providers):
    """The cycle the status on ``on`` is about, walking from the issue date: the current
    one (``on`` before its end), or the first that ended without renewing (its
    requirements not met, or a recorded expiry, which does not renew by itself). Returns it
    with its progress when it ended; the current cycle's progress is left to the caller
    (it only decides whether the cycle is expiring soon)."""
    for cycle in cycles(ctype, issued_on, on, first_end=expires_on):
        if on < cycle.end:
            return cycle, None
        progress = ce_progress(
            ctype, requirements, records, cycle, issued_on, attested, providers=providers
        )
        if progress.met and expires_on is None:
            continue  # renewed at the end of this cycle
        return cycle, progress
    return None, None  # pragma: no cover — cycles() always yields


def current_cycle(
    ctype,
    requirements,
    issued_on: dt.date | None,
    records,
    on: dt.date,
    *,
    expires_on: dt.date | None = None,
    attested=frozenset(),
) -> Cycle | None:
    """``standing(...).cycle``, without weighing the current cycle's hours (they decide only
    whether it is expiring soon): past cycles' renewals alone place it. For pages that
    read the cycle, not the status (the review queue's date checks)."""
    if issued_on is None or on < issued_on:
        return None
    providers = _approved_provider_names(ctype)
    return _deciding_cycle(
        ctype, requirements, issued_on, records, on, expires_on, attested, providers
    )[0]


@dataclass
class Applicability:
    """Whether one training record counts toward one credential, and why (or why not)."""

    counts: bool
    reason: str
    if_approved: bool = False  # judged as if the pending record were approved
    cycle: Cycle | None = None


def _cycle_containing(ctype, issued_on: dt.date, day: dt.date, expires_on=None) -> Cycle:
    found = None
    for cycle in cycles(ctype, issued_on, day, first_end=expires_on):
        found = cycle
        if cycle.start <= day < cycle.end:
            break
    return found


class _AsApproved:
    """What ``_classify`` reads of a record, as if it were approved (the record itself is
    left as it is; a copy of a model instance cost ≈ 25 Python calls)."""

    __slots__ = (
        "pk",
        "status",
        "completed_on",
        "is_initial_training",
        "provider",
        "credit_requested",
        "course",
        "credit_id",
    )

    def __init__(self, record):
        self.pk = record.pk
        self.status = "approved"
        self.completed_on = record.completed_on
        self.is_initial_training = record.is_initial_training
        self.provider = record.provider
        self.credit_requested = record.credit_requested
        self.course = record.course
        self.credit_id = getattr(record, "credit_id", None)


def applicability(
    record, ctype, requirements, records, issued_on: dt.date | None, *, expires_on=None
) -> Applicability:
    """Explain, for one credential, whether ``record`` counts — with the rule that decides.

    ``records`` are the holder's approved records (the same-course rule looks at them).
    A record waiting for review is judged as if it were approved (``if_approved``), so
    people can see before the decision whether it will count. The reasons are in the
    active language.
    """
    return _judge(
        record,
        ctype,
        requirements,
        issued_on,
        expires_on,
        lambda cycle: _reason_as_approved(
            record, ctype, records, cycle, _approved_provider_names(ctype)
        ),
    )


def _reason_as_approved(record, ctype, records, cycle: Cycle, providers) -> str | None:
    """``_classify``'s reason for ``record`` in ``cycle``, judged as if it were approved,
    among the holder's approved ``records`` (itself left out of them if it is there)."""
    as_approved = _AsApproved(record)
    others = [r for r in records if r.pk != record.pk] + [as_approved]
    return next(
        reason
        for r, reason in _classify(others, ctype, cycle.start, cycle.end, providers)
        if r is as_approved
    )


class Applicabilities:
    """``applicability`` for the records of one holder toward one credential (a list of
    records, each judged against every credential): each cycle's approved records are
    classified once, not once a record. An approved record found among ``records`` as it
    is takes its reason from there — judging it as approved is judging it where it
    already is; any other record is judged as ``applicability`` does."""

    def __init__(self, ctype, requirements, records, issued_on, *, expires_on=None):
        self.ctype, self.requirements, self.records = ctype, requirements, list(records)
        self.issued_on, self.expires_on = issued_on, expires_on
        self._providers = _LOOK_UP  # read when a record first needs them
        self.by_pk = {r.pk: r for r in self.records}
        if len(self.by_pk) != len(self.records) or None in self.by_pk:
            self.by_pk = {}  # ids missing or repeated: judge every record on its own
        self.reasons: dict[dt.date, dict] = {}  # cycle start -> {record id: reason}

    def __call__(self, record) -> Applicability:
        return _judge(
            record,
            self.ctype,
            self.requirements,
            self.issued_on,
            self.expires_on,
            lambda cycle: self._reason(record, cycle),
        )

    @property
    def providers(self):
        if self._providers is _LOOK_UP:
            self._providers = _approved_provider_names(self.ctype)
        return self._providers

    def _reason(self, record, cycle: Cycle) -> str | None:
        same = self.by_pk.get(record.pk)
        if (
            same is None
            or record.status != "approved"
            or same.status != "approved"
            or _as_classified(same) != _as_classified(record)
        ):
            return _reason_as_approved(record, self.ctype, self.records, cycle, self.providers)
        reasons = self.reasons.get(cycle.start)
        if reasons is None:
            reasons = self.reasons[cycle.start] = {
                r.pk: reason
                for r, reason in _classify(
                    self.records, self.ctype, cycle.start, cycle.end, self.providers
                )
            }
        return reasons[record.pk]


def _as_classified(record) -> tuple:
    """What ``_classify`` reads of a record, but its status."""
    return (
        record.completed_on,
        record.is_initial_training,
        record.provider,
        record.credit_requested,
        record.course,
        getattr(record, "credit_id", None),
    )


def _judge(record, ctype, requirements, issued_on, expires_on, reason_of) -> Applicability:
    """``applicability``'s rules; ``reason_of(cycle)`` gives ``_classify``'s reason for the
    record (as if approved) in the cycle that contains it."""
    pending = record.status in ("submitted", "changes_requested")
    if record.status == "rejected":
        return Applicability(False, gettext("Rejected records do not count."))
    if record.status == "withdrawn":
        return Applicability(False, gettext("Withdrawn records do not count."))
    if record.is_initial_training:
        if not ctype.initial_training_hours:
            return Applicability(
                False, gettext("This credential asks for no initial training hours."), pending
            )
        return Applicability(True, gettext("Counts toward initial training."), pending)
    if issued_on is None:
        return Applicability(
            False,
            gettext("Continuing education counts once the credential is issued."),
            pending,
        )
    if record.completed_on < issued_on:
        return Applicability(
            False,
            gettext("Completed before the credential was issued (%(date)s).")
            % {"date": issued_on.isoformat()},
            pending,
        )
    cycle = _cycle_containing(ctype, issued_on, record.completed_on, expires_on)
    reason_code = reason_of(cycle)
    window = {"start": cycle.start.isoformat(), "end": cycle.end.isoformat()}
    if reason_code == "provider":
        return Applicability(
            False,
            gettext(
                "“%(provider)s” is not on this credential's approved provider list, and "
                "no credit was requested for it."
            )
            % {"provider": record.provider},
            pending,
            cycle,
        )
    if reason_code == "repeat":
        return Applicability(
            False,
            gettext(
                "The same course already counts in the cycle %(start)s – %(end)s; this "
                "credential counts a course once per cycle."
            )
            % window,
            pending,
            cycle,
        )
    listed = {req.topic_id for req in requirements}
    if not ctype.elective_hours_count and record.topic_id not in listed:
        return Applicability(
            False,
            gettext(
                "Only this credential's listed topics count, and this record's topic is not "
                "one of them."
            ),
            pending,
            cycle,
        )
    if record.topic_id in listed:
        reason = gettext(
            "Counts toward the topic minimum and the total of the cycle %(start)s – %(end)s."
        )
    else:
        reason = gettext(
            "Counts as elective hours toward the total of the cycle %(start)s – %(end)s."
        )
    return Applicability(True, reason % window, pending, cycle)
