"""A holder's certification and the coordinator's attestations with the audit's records."""

from __future__ import annotations

import datetime as dt

from django.shortcuts import get_object_or_404

from peerportal.core.permissions import require_role

from ..models import Attestation, Certification, RecordStatus, TrainingRecord
from .standings import certification_standing


def certification_get_own(user, pk: int) -> Certification:
    return get_object_or_404(
        Certification.objects.select_related("credential_type"), pk=pk, holder=user
    )


def attestation_list_for(user):
    require_role(user, "coordinator")
    return (
        Attestation.objects.exclude(certification__holder=user)
        .select_related("certification__credential_type", "certification__holder")
        .order_by("-attested_at", "-id")
    )


def attestation_get_for(user, pk: int) -> Attestation:
    return get_object_or_404(attestation_list_for(user), pk=pk)


def records_for_attestation(att: Attestation) -> list[TrainingRecord]:
    """The holder's approved CE records inside the attested cycle (the audit's material)."""
    cert = att.certification
    standing = certification_standing(cert, att.cycle_end - dt.timedelta(days=1))
    start = standing.cycle.start if standing.cycle else att.cycle_end
    return list(
        TrainingRecord.objects.filter(
            person=cert.holder_id,
            status=RecordStatus.APPROVED,
            is_initial_training=False,
            completed_on__gte=start,
            completed_on__lt=att.cycle_end,
        ).select_related("topic")
    )
