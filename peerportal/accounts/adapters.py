from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Emails go out in the recipient's language; display names, never emails, on screen."""

    def send_mail(self, template_prefix, email, context):
        from django.utils import translation

        user = context.get("user")
        language = getattr(user, "preferred_language", None) or translation.get_language()
        with translation.override(language):
            return super().send_mail(template_prefix, email, context)

    def get_user_display(self, user) -> str:
        return user.display_name
