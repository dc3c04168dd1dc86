from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from peerportal.accounts.models import User
from peerportal.core.models import Organization
from peerportal.core.permissions import is_coordinator, require_role

from . import rules
from .models import Certification, RecordStatus, SupervisionSession, TrainingRecord
from .permissions import can_view_person


def local_today() -> dt.date:
    return timezone.localdate(timezone.now(), Organization.get().tzinfo)


def supervised_hours(person) -> Decimal:
    return SupervisionSession.objects.filter(staff=person).aggregate(h=Sum("hours"))[
        "h"
    ] or Decimal("0")


def standings_for(person, on: dt.date | None = None) -> list[dict]:
    """Each of the person's certifications with its status and progress."""
    on = on or local_today()
    certs = list(
        Certification.objects.filter(holder=person)
        .select_related("credential_type")
        .prefetch_related("credential_type__topic_requirements__topic")
    )
    records = list(TrainingRecord.objects.filter(person=person, status=RecordStatus.APPROVED))
    hours = supervised_hours(person)
    out = []
    for cert in certs:
        ctype = cert.credential_type
        reqs = list(ctype.topic_requirements.all())
        standing = rules.standing(ctype, reqs, cert.issued_on, records, on)
        out.append(
            {
                "certification": cert,
                "standing": standing,
                "status_label": rules.STATUS_LABELS[standing.status],
                "days_to_expiry": standing.days_to_expiry(on),
                "initial": rules.initial_progress(ctype, records, hours),
            }
        )
    return out


def person_get_for(user, pk: int) -> User:
    person = get_object_or_404(User.objects.staff(), pk=pk)
    if not can_view_person(user, person):
        raise_404()
    return person


def raise_404():
    from django.http import Http404

    raise Http404


def team_for(user):
    require_role(user, "supervisor")
    qs = User.objects.staff().exclude(pk=user.pk)
    if not is_coordinator(user):
        qs = qs.filter(supervisor=user)
    return qs.order_by("display_name")


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


def record_list_for(user, person=None):
    person = person or user
    return (
        TrainingRecord.objects.filter(person=person)
        .select_related("topic")
        .prefetch_related("reviews")
    )


def record_get_own(user, pk: int) -> TrainingRecord:
    return get_object_or_404(TrainingRecord, pk=pk, person=user)


def supervision_list_for(user, person=None):
    person = person or user
    return SupervisionSession.objects.filter(staff=person).select_related("supervisor")
