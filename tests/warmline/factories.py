"""Factories for warm lines, shifts and call records. All names are invented."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from peerportal.warmline.models import CallRecord, CallTopic, Referral, Shift, WarmLine


class WarmLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WarmLine
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Test Warm Line {n}")
    phone = "555-0100"
    hours_of_operation = "Every day 16:00–22:00"

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        if create and extracted:
            self.members.add(*extracted)


class ShiftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shift

    line = factory.SubFactory(WarmLineFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=3))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=3))
    min_staff = 1
    max_staff = 2


class CallTopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CallTopic
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Topic {n}")


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Referral {n}")


class CallRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CallRecord

    line = factory.SubFactory(WarmLineFactory)
    author = None
    contact_type = "call"
    started_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=1))
    duration_minutes = 12
