"""The review queue: records waiting for review, the reviewer's record, date flags and decisions."""

from __future__ import annotations

import datetime as dt
from collections import namedtuple

from dateutil.relativedelta import relativedelta
from django.db import connection
from django.db.models import F
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from peerportal.core.permissions import is_coordinator, require_role

from .. import statements
from ..models import RecordStatus, TrainingRecord
from .standings import current_cycles_by_ids

#: A record waiting for review as the queue reads it (and the date checks).
QueueRow = namedtuple(
    "QueueRow",
    (
        "pk",
        "course",
        "hours",
        "completed_on",
        "credit_requested",
        "is_initial_training",
        "person_id",
        "person_name",
    ),
)


def review_queue_page_list(user):
    """``review_queue_for(user)``'s records as ``QueueRow``s, for a ``Paginator``: on
    PostgreSQL a ``WrittenOutList`` (the same filter and order, written out), elsewhere
    the ORM's rows."""
    require_role(user, "supervisor")
    if connection.vendor != "postgresql":
        return (
            review_queue_for(user)
            .select_related(None)
            .annotate(person_name=F("person__display_name"))
            .values_list(*QueueRow._fields, named=True)
        )
    everyone = is_coordinator(user)
    params = [RecordStatus.SUBMITTED.value, user.pk]
    if not everyone:
        params.append(user.pk)
    return statements.WrittenOutList(statements.review_queue(everyone), params, QueueRow)


def review_queue_for(user):
    require_role(user, "supervisor")
    qs = (
        TrainingRecord.objects.filter(status=RecordStatus.SUBMITTED)
        .exclude(person=user)
        .select_related("person", "topic")
    )
    if not is_coordinator(user):
        qs = qs.filter(person__supervisor=user)
    return qs.order_by("submitted_at")


def record_get_for_review(user, pk: int) -> TrainingRecord:
    """A record in the reviewer's scope (their team; coordinators: all). Own records too, so the view can refuse with 403."""
    require_role(user, "supervisor")
    qs = TrainingRecord.objects.select_related("person", "topic")
    if not is_coordinator(user):
        qs = qs.filter(person__supervisor=user) | qs.filter(person=user)
    return get_object_or_404(qs, pk=pk)


#: A completion date further back than this is flagged in the review queue.
FAR_PAST_YEARS = 10


def date_flags(records, on: dt.date, *, standings=None) -> dict[int, list[str]]:
    """Dates a reviewer should look at twice: in the future, long ago, or before the
    current cycle of every credential the person holds (so it cannot count)."""
    if standings is None:
        # Only the cycles are read here, not the statuses.
        people = list({r.person_id: None for r in records})
        cycles_by_person = current_cycles_by_ids(people, on) if people else {}
    else:
        cycles_by_person = {
            person: [
                (row["certification"].credential_type.name, row["standing"].cycle) for row in rows
            ]
            for person, rows in standings.items()
        }
    far_past = on - relativedelta(years=FAR_PAST_YEARS)
    flags: dict[int, list[str]] = {}
    for record in records:
        found = []
        if record.completed_on > on:
            found.append(_("Completion date is in the future."))
        elif record.completed_on < far_past:
            found.append(_("Completed more than %(n)s years ago.") % {"n": FAR_PAST_YEARS})
        cycles_ = [
            (name, cycle)
            for name, cycle in cycles_by_person.get(record.person_id, [])
            if cycle is not None
        ]
        if (
            not record.is_initial_training
            and cycles_
            and all(record.completed_on < cycle.start for _n, cycle in cycles_)
        ):
            for name, cycle in cycles_:
                found.append(
                    _("Before the current cycle of %(credential)s (from %(date)s).")
                    % {"credential": name, "date": cycle.start.isoformat()}
                )
        flags[record.pk] = found
    return flags


def review_list_for_record(record: TrainingRecord):
    """The decisions on a record, oldest first, with the reviewer's display name."""
    return record.reviews.select_related("reviewer").only(
        "id", "record_id", "decision", "comment", "decided_at", "reviewer__display_name"
    )
