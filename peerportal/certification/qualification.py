"""The one question other apps ask certification: is person P qualified for X at time T?

Qualified means the person holds a certification of the credential type with that ``code``
whose status on the organization-local date of ``at`` is active or expiring soon; in its
grace period only where the credential type says holders may work during grace
(``work_allowed_in_grace``). In training, lapsed, or no certification: not qualified.
Records approved later can change the answer for a future ``at`` (a renewal); the answer
for a past ``at`` uses today's records too, so it is "qualified given what we know now".
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from django.utils import timezone
from django.utils.translation import gettext as _

from peerportal.core.models import Organization

from . import rules
from .models import Certification, CredentialType

WORKING_STATUSES = {rules.Status.ACTIVE, rules.Status.EXPIRING}


def _standing(person, code: str, at: dt.datetime):
    cert = (
        Certification.objects.filter(holder=person, credential_type__code=code)
        .select_related("credential_type")
        .first()
    )
    if cert is None:
        return None, None
    from .selectors import certification_standing

    on = timezone.localdate(at, Organization.get().tzinfo)
    return cert, certification_standing(cert, on)


def is_qualified(*, person, code: str, at: dt.datetime) -> bool:
    """Valid at ``at``: active or expiring soon; in grace only where the credential allows it."""
    return why_not_qualified(person=person, code=code, at=at) is None


def why_not_qualified(*, person, code: str, at: dt.datetime) -> str | None:
    cert, standing = _standing(person, code, at)
    name = CredentialType.objects.filter(code=code).values_list("name", flat=True).first() or code
    return _reason(cert, standing, name)


def _reason(cert, standing, name: str) -> str | None:
    if cert is None:
        return _("Needs the “%(name)s” credential.") % {"name": name}
    if standing.status in WORKING_STATUSES:
        return None
    if standing.status == rules.Status.IN_GRACE and cert.credential_type.work_allowed_in_grace:
        return None
    if standing.status == rules.Status.IN_TRAINING:
        return _("The “%(name)s” credential is still in training.") % {"name": name}
    if standing.status == rules.Status.IN_GRACE:
        return _("The “%(name)s” credential is in its grace period and needs renewing first.") % {
            "name": name
        }
    return _("The “%(name)s” credential is not valid at that time.") % {"name": name}


def why_not_qualified_many(
    *, person, asks, names: dict[str, str] | None = None
) -> dict[tuple[str, dt.datetime], str | None]:
    """``why_not_qualified`` for many (code, at) pairs in a fixed number of queries (the
    warm-line board shows the answer beside each shift before anyone clicks). ``names``:
    credential names by code, when the caller has them (``credential_names``)."""
    return qualification_answers(person=person, asks=asks, names=names).reasons


class Answers(NamedTuple):
    reasons: dict[tuple[str, dt.datetime], str | None]
    names: dict[str, str]


def qualification_answers(*, person, asks, shown=(), names: dict[str, str] | None = None):
    """``why_not_qualified_many``'s answers, and the credential names (by code) of the
    asked codes and of the codes in ``shown`` (a page names the credential beside each
    shift, asked or not). ``names``: the names, when the caller has them.

    One person: their certifications with everything the rules read (types, topic
    requirements, approved providers, attestations) in one statement on PostgreSQL
    (``selectors.rule_rows._certifications_with_rules``, four ORM queries elsewhere), and their
    approved records as light rows. The types carry the names: only codes the person
    holds no certification of cost a names query, none on a page whose credentials they
    all hold. None but the names for no asks. The answer is worked out once per code and
    local day, not once per ask.
    """
    from .selectors import certification_standing
    from .selectors.rule_rows import _approved_rule_rows, _certifications_with_rules

    asks = list(asks)
    codes = {code for code, _at in asks}
    wanted = codes.union(shown)
    if not codes:
        return Answers({}, names if names is not None else credential_names(wanted))
    held = {}
    for cert in _certifications_with_rules([person.pk]):
        if cert.credential_type.code in wanted:
            held[cert.credential_type.code] = cert
    if names is None:
        names = {code: cert.credential_type.name for code, cert in held.items()}
        if missing := wanted - names.keys():
            names.update(credential_names(missing))
    certs = {code: cert for code, cert in held.items() if code in codes}
    requirements = {
        cert.credential_type_id: list(cert.credential_type.topic_requirements.all())
        for cert in certs.values()
    }
    records = _approved_rule_rows([person.pk])[person.pk] if certs else []
    tz = Organization.get().tzinfo
    by_day: dict[tuple[str, dt.date], str | None] = {}
    out = {}
    for code, at in asks:
        on = timezone.localdate(at, tz)
        if (code, on) not in by_day:
            cert = certs.get(code)
            standing = None
            if cert is not None:
                standing = certification_standing(
                    cert, on, records, cert.attested, requirements[cert.credential_type_id]
                )
            by_day[(code, on)] = _reason(cert, standing, names.get(code, code))
        out[(code, at)] = by_day[(code, on)]
    return Answers(out, names)


def credential_names(codes) -> dict[str, str]:
    """Credential type names by code, for pages that show what a shift needs (no query for
    no codes: a week without shifts asks for none)."""
    codes = set(codes)
    if not codes:
        return {}
    return dict(CredentialType.objects.filter(code__in=codes).values_list("code", "name"))


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
