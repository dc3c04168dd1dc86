"""factory_boy factories for core and accounts. Apps keep theirs in tests/<app>/factories.py.

All names are invented.
"""

from __future__ import annotations

import datetime as dt

import factory
from allauth.account.models import EmailAddress

from peerportal.accounts.models import Role, User
from peerportal.core.models import Location, OpeningHours

TEST_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    display_name = factory.Sequence(lambda n: f"Peer {n}")
    role = Role.MEMBER
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def verified_email(obj, create, extracted, **kwargs):
        obj.save()
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class StaffFactory(UserFactory):
    role = Role.PEER_SPECIALIST


class SupervisorFactory(UserFactory):
    role = Role.SUPERVISOR


class CoordinatorFactory(UserFactory):
    role = Role.COORDINATOR
    is_staff = True


def with_totp(user: User) -> User:
    """Give ``user`` an authenticator so the MFA requirement is met."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(user, generate_totp_secret())
    return user


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    name = factory.Sequence(lambda n: f"Drop-in Center {n}")
    city = "Springfield"


class OpeningHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OpeningHours

    location = factory.SubFactory(LocationFactory)
    weekday = 0
    opens = dt.time(9)
    closes = dt.time(17)


def org_localdate(instant: dt.datetime | None = None) -> dt.date:
    """The organization's calendar date at ``instant`` (default: now).

    ``timezone.localdate()`` in a test gives the *UTC* date (no request has activated a
    zone), which is the next day for the organization every evening: compare pages that
    speak in the organization's days with this instead.
    """
    from django.utils import timezone

    from peerportal.core.models import Organization

    return timezone.localdate(instant or timezone.now(), Organization.get().tzinfo)
