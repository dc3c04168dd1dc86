"""The one question other apps ask certification: is person P qualified for X at time T?"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from peerportal.core.models import Organization

from . import rules
from .models import Certification, CredentialType, RecordStatus, TrainingRecord

WORKING_STATUSES = {rules.Status.ACTIVE, rules.Status.EXPIRING}


def _standing(person, code: str, at: dt.datetime):
    cert = (
        Certification.objects.filter(holder=person, credential_type__code=code)
        .select_related("credential_type")
        .first()
    )
    if cert is None:
        return None, None
    on = timezone.localdate(at, Organization.get().tzinfo)
    ctype = cert.credential_type
    records = list(TrainingRecord.objects.filter(person=person, status=RecordStatus.APPROVED))
    reqs = list(ctype.topic_requirements.select_related("topic"))
    return cert, rules.standing(ctype, reqs, cert.issued_on, records, on)


def is_qualified(*, person, code: str, at: dt.datetime) -> bool:
    """Valid at ``at``: active or expiring soon; in grace only where the credential allows it."""
    return why_not_qualified(person=person, code=code, at=at) is None


def why_not_qualified(*, person, code: str, at: dt.datetime) -> str | None:
    cert, standing = _standing(person, code, at)
    name = CredentialType.objects.filter(code=code).values_list("name", flat=True).first() or code
    if cert is None:
        return _("Needs the “%(name)s” credential.") % {"name": name}
    if standing.status in WORKING_STATUSES:
        return None
    if standing.status == rules.Status.IN_GRACE and cert.credential_type.work_allowed_in_grace:
        return None
    if standing.status == rules.Status.IN_TRAINING:
        return _("The “%(name)s” credential is still in training.") % {"name": name}
    return _("The “%(name)s” credential is not valid at that time.") % {"name": name}


def qualification_choices() -> list[tuple[str, str]]:
    return list(CredentialType.objects.order_by("name").values_list("code", "name"))


def qualified_user_ids(*, code: str, at: dt.datetime) -> set[int]:
    holders = Certification.objects.filter(
        credential_type__code=code, issued_on__isnull=False
    ).values_list("holder", flat=True)
    from peerportal.accounts.models import User

    return {
        u.pk
        for u in User.objects.filter(pk__in=holders)
        if is_qualified(person=u, code=code, at=at)
    }
