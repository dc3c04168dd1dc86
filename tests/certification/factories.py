"""Factories for certification, and ``grant_credential`` for other apps' tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory

from peerportal.certification.models import Certification, CETopic, CredentialType, TrainingRecord
from tests.factories import org_localdate


class CETopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CETopic
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"topic-{n}")
    name = factory.LazyAttribute(lambda o: o.code.title())


class CredentialTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CredentialType
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"credential-{n}")
    name = factory.LazyAttribute(lambda o: f"Credential {o.code}")
    cycle_kind = "anniversary"
    cycle_months = 24
    ce_hours_per_cycle = Decimal(0)


class TrainingRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingRecord

    course = factory.Sequence(lambda n: f"Course {n}")
    provider = "Invented Institute"
    completed_on = factory.LazyFunction(lambda: org_localdate() - dt.timedelta(days=10))
    hours = Decimal(3)
    status = "submitted"


def grant_credential(person, code: str, *, issued=None, expires=None) -> Certification:
    """Make ``person`` hold credential ``code`` (its type is created if missing).

    Without ``expires`` the certification is issued 30 days ago (or on ``issued``) and its
    expiry follows the type's cycle; a factory-made type asks for no CE hours, so it stays
    valid. With ``expires`` the certificate's recorded expiry is set: valid until that day
    (exclusive), then the type's grace period (none for factory types), then lapsed.
    """
    ctype = CredentialTypeFactory(code=code)
    if issued is None:
        issued = org_localdate() - dt.timedelta(days=30)
        if expires is not None and expires <= issued:
            issued = expires - dt.timedelta(days=365)
    cert, _ = Certification.objects.update_or_create(
        holder=person,
        credential_type=ctype,
        defaults={"issued_on": issued, "expires_on": expires},
    )
    return cert


class CertificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certification

    credential_type = factory.SubFactory(CredentialTypeFactory)
    issued_on = factory.LazyFunction(lambda: org_localdate() - dt.timedelta(days=30))
