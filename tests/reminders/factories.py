"""Reminder factories. Targets are core Locations (see kinds.py); all names invented."""

from __future__ import annotations

import datetime as dt

import factory
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from peerportal.reminders.models import Reminder
from tests.factories import LocationFactory, UserFactory

from .kinds import NOTICE


class ReminderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reminder
        exclude = ("target",)

    kind = NOTICE
    target = factory.SubFactory(LocationFactory)
    target_type = factory.LazyAttribute(lambda o: ContentType.objects.get_for_model(o.target))
    target_id = factory.LazyAttribute(lambda o: o.target.pk)
    recipient = factory.SubFactory(UserFactory)
    due_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(minutes=1))
