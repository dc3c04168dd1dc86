from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DropinConfig(AppConfig):
    name = "peerportal.dropin"
    label = "dropin"
    verbose_name = _("Drop-in centers")

    def ready(self) -> None:
        from peerportal.accounts.userdata import (
            USER_DATA,
            UserDataPolicy,
            register_erasure_handler,
        )
        from peerportal.core.navigation import register_nav, register_panel
        from peerportal.reminders.registry import register_kind

        from . import notifications, panels, services

        register_nav(
            _("Events"),
            "dropin:event-list",
            None,
            order=60,
            menu="dropin",
            description=_("Drop-in center events: what is on this week and this month."),
        )
        register_nav(_("Visit counter"), "dropin:tally-list", "staff", order=300, menu="dropin")
        register_nav(
            _("Drop-in reports"), "reports:dropin:overview", "coordinator", order=800, menu="dropin"
        )
        register_panel("dropin/panel_my_rsvps.html", "member", order=60, context=panels.my_rsvps)

        register_kind(
            services.KIND_UPCOMING,
            label=_("Before a drop-in event you RSVP'd to"),
            default_offsets=[timedelta(hours=24)],
            context=notifications.event_upcoming_context,
        )
        register_kind(
            services.KIND_CANCELLED,
            label=_("A drop-in event you RSVP'd to is cancelled"),
            urgent=True,
            optional=False,
            context=notifications.event_cancelled_context,
        )

        # RSVPs are kept (pseudonymised with the account) so event counts survive erasure;
        # future ones are cancelled first so their seats are freed.
        USER_DATA.setdefault("dropin.rsvp", UserDataPolicy("keep"))
        register_erasure_handler(services.rsvps_cancel_for_erased_user)
