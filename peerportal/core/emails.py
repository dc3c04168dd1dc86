"""Who emails come from, and how the organization is named in them.

Every email the portal sends (reminders, account emails from allauth) names the
organization: as the sender's display name, and in allauth's "Hello from …" lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import formataddr, parseaddr
from urllib.parse import urlsplit

from django.conf import settings

from .models import Organization


def sender_address() -> str:
    """``DEFAULT_FROM_EMAIL``, shown as the organization when it carries no display name."""
    configured = settings.DEFAULT_FROM_EMAIL
    name, address = parseaddr(configured)
    if name or not address:
        return configured
    return formataddr((Organization.get().name, address))


@dataclass(frozen=True)
class EmailSite:
    """Stands in for allauth's ``current_site``: the organization's name and public address."""

    name: str
    domain: str


def email_site() -> EmailSite:
    return EmailSite(name=Organization.get().name, domain=urlsplit(settings.SITE_URL).netloc)
