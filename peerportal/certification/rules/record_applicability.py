"""Applicability: whether one training record counts toward one credential, and why."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext

from ._shared import _LOOK_UP, _approved_provider_names, _classify
from .cycle_dates import Cycle, cycles


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
