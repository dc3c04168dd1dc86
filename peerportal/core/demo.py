"""Invented demo data: an organization, locations and one login per role.

Nothing here describes a real person. Each app may add its own demo data in
``peerportal/<app>/demo.py`` with ``seed(*, people, scale, stdout)``; ``seed_demo`` calls them
in dependency order. Every seed is idempotent.
"""

from __future__ import annotations

import datetime as dt
import importlib

from django.db import transaction

from .models import Location, LocationKind, OpeningHours, Organization

DEMO_PASSWORD = "peer-demo-2026"  # noqa: S105 — documented demo login, invented data only
# A fixed authenticator secret for the demo supervisor and coordinator, so their logins
# work out of the box; `python manage.py demo_totp` prints the current code.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105 — demo only
DEMO_DOMAIN = "demo.peerportal.test"

DEMO_PEOPLE = [
    # key, email local part, display name, role, supervisor key
    ("coordinator", "coordinator", "Robin (coordinator)", "coordinator", None),
    ("supervisor", "supervisor", "Sam (supervisor)", "supervisor", None),
    ("staff", "staff", "Alex (peer specialist)", "peer_specialist", "supervisor"),
    ("staff2", "staff2", "Jordan (peer specialist)", "peer_specialist", "supervisor"),
    ("member", "member", "River", "member", None),
    ("member2", "member2", "Sky", "member", None),
]

APP_SEEDS = ("certification", "groups", "warmline", "dropin", "reminders")


def demo_email(local: str) -> str:
    return f"{local}@{DEMO_DOMAIN}"


@transaction.atomic
def seed_core() -> None:
    org = Organization.get()
    if org.name == Organization._meta.get_field("name").default:
        org.name = "Harbor Light Peer Collective"
        org.contact_email = f"hello@{DEMO_DOMAIN}"
        org.contact_phone = "555-0100"
        org.save()
    center, _ = Location.objects.get_or_create(
        name="Harbor Light Drop-in Center",
        defaults={
            "kind": LocationKind.DROP_IN_CENTER,
            "address": "12 Example Street",
            "city": "Springfield",
            "postal_code": "00000",
            "phone": "555-0101",
            "accessibility_notes": "Step-free entrance, accessible restroom, quiet room on request.",
        },
    )
    if not center.opening_hours.exists():
        OpeningHours.objects.bulk_create(
            OpeningHours(location=center, weekday=d, opens=dt.time(10), closes=dt.time(18))
            for d in range(5)
        )
        OpeningHours.objects.create(
            location=center, weekday=5, opens=dt.time(11), closes=dt.time(15)
        )
    Location.objects.get_or_create(
        name="Riverside Library Meeting Room",
        defaults={
            "kind": LocationKind.MEETING_PLACE,
            "address": "3 Sample Avenue",
            "city": "Springfield",
            "accessibility_notes": "Elevator to the second floor; hearing loop.",
        },
    )


@transaction.atomic
def seed_people() -> dict:
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP

    from peerportal.accounts.models import User

    people: dict = {}
    for key, local, name, role, supervisor_key in DEMO_PEOPLE:
        email = demo_email(local)
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User.objects.create_user(
                email=email, password=DEMO_PASSWORD, display_name=name, role=role
            )
        user.role = role
        user.is_staff = role == "coordinator"
        user.supervisor = people.get(supervisor_key)
        user.save()
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        if (
            role in ("supervisor", "coordinator")
            and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        ):
            TOTP.activate(user, DEMO_TOTP_SECRET)
            RecoveryCodes.activate(user)
        people[key] = user
    return people


LARGE_MEMBERS = 50_000
LARGE_STAFF = 80
LARGE_DOMAIN = "large.peerportal.test"


def seed_large_people(*, stdout=None) -> None:
    """50,000 invented members and 80 staff, bulk-inserted (benchmarks; idempotent)."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password

    from peerportal.accounts.models import Role, User

    have = User.objects.filter(email__endswith=f"@{LARGE_DOMAIN}").count()
    if have >= LARGE_MEMBERS + LARGE_STAFF:
        return
    password = make_password(DEMO_PASSWORD)  # hashed once, shared: these are load-test accounts
    supervisor = User.objects.filter(email=demo_email("supervisor")).first()
    batch: list[User] = []
    for n in range(LARGE_MEMBERS + LARGE_STAFF):
        staff = n >= LARGE_MEMBERS
        batch.append(
            User(
                email=f"{'staff' if staff else 'member'}{n}@{LARGE_DOMAIN}",
                display_name=f"{'Staff' if staff else 'Member'} {n}",
                role=Role.PEER_SPECIALIST if staff else Role.MEMBER,
                supervisor=supervisor if staff else None,
                password=password,
            )
        )
    User.objects.bulk_create(batch, batch_size=2000, ignore_conflicts=True)
    users = User.objects.filter(email__endswith=f"@{LARGE_DOMAIN}").values_list("pk", "email")
    EmailAddress.objects.bulk_create(
        (EmailAddress(user_id=pk, email=email, verified=True, primary=True) for pk, email in users),
        batch_size=2000,
        ignore_conflicts=True,
    )
    if stdout is not None:
        stdout.write(f"large: {LARGE_MEMBERS} members and {LARGE_STAFF} staff")


def seed_all(*, scale: str = "small", stdout=None) -> dict:
    seed_core()
    people = seed_people()
    if scale == "large":
        seed_large_people(stdout=stdout)
    for app in APP_SEEDS:
        try:
            module = importlib.import_module(f"peerportal.{app}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"peerportal.{app}.demo":
                raise
            continue
        module.seed(people=people, scale=scale, stdout=stdout)
    return people
