"""Standing: a certification's status on a day, from its cycles' renewals and progress."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from ._shared import _approved_provider_names
from .cycle_dates import Cycle, cycles
from .progress import Progress, ce_progress


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
    """Status on ``on`` from the rules and the approved records (see the package notes)."""
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
