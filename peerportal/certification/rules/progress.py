"""Requirements and progress: countable CE hours by topic, attestations, initial training."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from ._shared import _LOOK_UP, _approved_provider_names, _classify
from .cycle_dates import Cycle, add_months

ZERO = Decimal("0")


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
