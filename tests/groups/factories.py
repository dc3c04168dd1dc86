from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from peerportal.groups.models import GroupFormat, GroupSession, SupportGroup, Topic
from tests.factories import LocationFactory


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Topic {n}")


class SupportGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupportGroup

    name = factory.Sequence(lambda n: f"Peer Circle {n}")
    description = "An invented peer support group."
    format = GroupFormat.IN_PERSON
    location = factory.SubFactory(LocationFactory)
    capacity = 3
    rrule = "FREQ=WEEKLY;BYDAY=TU"
    first_date = dt.date(2026, 1, 6)
    start_time = dt.time(18)
    end_time = dt.time(19, 30)
    is_published = True


class GroupSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GroupSession

    group = factory.SubFactory(SupportGroupFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=2))
    occurrence_start = factory.LazyAttribute(lambda o: o.starts_at)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(minutes=90))
