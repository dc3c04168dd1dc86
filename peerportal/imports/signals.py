"""An invited person who chose their password through the emailed link has shown that they
read that address: it counts as verified, so their first sign-in needs no second email."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from allauth.account.signals import password_reset
from django.dispatch import receiver


@receiver(password_reset)
def verify_the_only_address(sender, request=None, user=None, **kwargs) -> None:
    if user is None:
        return
    addresses = list(EmailAddress.objects.filter(user=user))
    # Only when the link can have gone to one address: the account's one and only.
    only = addresses[0] if len(addresses) == 1 else None
    if only is not None and only.email.lower() == user.email.lower() and not only.verified:
        only.verified = True
        only.save(update_fields=["verified"])
