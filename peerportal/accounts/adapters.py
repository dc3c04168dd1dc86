from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter

from peerportal.core.emails import email_site, sender_address


class AccountAdapter(DefaultAccountAdapter):
    """Emails go out in the recipient's language, from and naming the organization (not the
    host name the request came in on); display names, never emails, on screen."""

    def send_mail(self, template_prefix, email, context):
        from django.utils import translation

        user = context.get("user")
        language = getattr(user, "preferred_language", None) or translation.get_language()
        context = {"current_site": email_site(), **context}
        with translation.override(language):
            return super().send_mail(template_prefix, email, context)

    def get_from_email(self) -> str:
        return sender_address()

    def get_user_display(self, user) -> str:
        return user.display_name
