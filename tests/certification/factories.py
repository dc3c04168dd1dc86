"""Factories for certification, and ``grant_credential`` for other apps' tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from peerportal.certification.models import Certification, CETopic, CredentialType, TrainingRecord


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
    completed_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=10))
    hours = Decimal(3)
    status = "submitted"


def grant_credential(person, code: str, *, issued=None, expires=None) -> Certification:
    """Make ``person`` hold a valid credential ``code`` (created if missing)."""
    ctype = CredentialTypeFactory(code=code)
    issued = issued or timezone.localdate() - dt.timedelta(days=30)
    cert, _ = Certification.objects.update_or_create(
        holder=person, credential_type=ctype, defaults={"issued_on": issued}
    )
    return cert
