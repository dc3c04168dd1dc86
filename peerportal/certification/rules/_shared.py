"""Whether an approved record counts in a cycle; progress, standing and applicability share it."""

from __future__ import annotations

import datetime as dt
import functools
from operator import attrgetter


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
