"""Factories for drop-in events, RSVPs and visit tallies. All names are invented."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from peerportal.dropin.models import RSVP, Event, EventCategory, VisitCategory
from tests.factories import LocationFactory, UserFactory


class EventCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EventCategory
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Category {n}")


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    location = factory.SubFactory(LocationFactory)
    title = factory.Sequence(lambda n: f"Event {n}")
    description = "An invented event."
    starts_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=3))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=2))
    rsvp_enabled = True
    is_published = True


class RSVPFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RSVP

    event = factory.SubFactory(EventFactory)
    member = factory.SubFactory(UserFactory)


class VisitCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VisitCategory
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Visit kind {n}")
