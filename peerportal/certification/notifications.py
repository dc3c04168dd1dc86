"""Email contexts: credential expiry, review decisions, weekly review digest."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from peerportal.core.models import Organization

from .models import Certification, Review


def credential_expiring_context(reminder) -> dict | None:
    cert = (
        Certification.objects.select_related("credential_type", "holder")
        .filter(pk=reminder.target_id)
        .first()
    )
    if cert is None or cert.issued_on is None:
        return None
    from .selectors import standings_for

    on = timezone.localdate(timezone.now(), Organization.get().tzinfo)
    standing = next(
        (s for s in standings_for(cert.holder, on) if s["certification"].pk == cert.pk), None
    )
    if standing is None or standing["standing"].expires_on is None:
        return None
    own = reminder.recipient_id == cert.holder_id
    return {
        "certification": cert,
        "credential": cert.credential_type,
        "expires_on": standing["standing"].expires_on,
        "own": own,
        "holder_name": cert.holder.display_name,
        "path": reverse("certification:progress")
        if own
        else reverse("certification:transcript", args=[cert.holder_id]),
    }


def training_reviewed_context(reminder) -> dict | None:
    review = Review.objects.select_related("record").filter(pk=reminder.target_id).first()
    if review is None or review.record.person_id != reminder.recipient_id:
        return None
    return {"review": review, "record": review.record, "path": reverse("certification:progress")}


def review_digest_context(reminder) -> dict | None:
    from .selectors import review_queue_for

    count = review_queue_for(reminder.recipient).count()
    if not count:
        return None
    return {"count": count, "path": reverse("certification:review-queue")}


def credential_audit_context(reminder) -> dict | None:
    from .models import Attestation

    att = (
        Attestation.objects.select_related("certification__credential_type")
        .filter(pk=reminder.target_id)
        .first()
    )
    if att is None or att.certification.holder_id != reminder.recipient_id:
        return None
    return {
        "attestation": att,
        "credential": att.certification.credential_type,
        "path": reverse("certification:progress"),
    }
