"""The invitation email: a link to set a password (allauth's password-reset-from-key page).

The key is made when the email is sent and stops working once a password is set, like any
password-reset link. The email names the organization, never a group or a role.
"""

from __future__ import annotations

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.urls import reverse

from peerportal.accounts.models import User


def invitation_context(reminder) -> dict | None:
    user = User.objects.filter(pk=reminder.target_id, is_active=True, erased_at=None).first()
    if user is None or user.has_usable_password():
        return None  # they already set a password: nothing to invite to
    key = f"{user_pk_to_url_str(user)}-{default_token_generator.make_token(user)}"
    path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
    return {"path": path.replace("UID-KEY", key)}
