from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WarmlineConfig(AppConfig):
    name = "peerportal.warmline"
    label = "warmline"
    verbose_name = _("Warm line")

    def ready(self) -> None:
        from peerportal.accounts.userdata import USER_DATA, UserDataPolicy, register_erasure_handler
        from peerportal.core.navigation import register_nav, register_panel
        from peerportal.reminders.registry import AUDIENCE_STAFF, register_kind

        from . import notifications, panels, services

        register_nav(_("Warm-line shifts"), "warmline:board", "staff", order=210, menu="warmline")
        register_nav(_("Call log"), "warmline:call-list", "staff", order=220, menu="warmline")
        register_nav(
            _("Warm lines"), "warmline:line-list", "supervisor", order=230, menu="warmline"
        )
        register_panel(
            "warmline/panel_my_shifts.html", "staff", order=210, context=panels.my_next_shifts
        )
        register_panel(
            "warmline/panel_coverage_gaps.html",
            "coordinator",
            order=215,
            context=panels.coverage_gaps,
        )
        register_kind(
            services.KIND_SHIFT_UPCOMING,
            audience=AUDIENCE_STAFF,
            label=_("Before a warm-line shift"),
            default_offsets=[timedelta(hours=12)],
            context=notifications.shift_upcoming_context,
        )
        register_kind(
            services.KIND_SWAP,
            audience=AUDIENCE_STAFF,
            label=_("Shift swap updates"),
            urgent=True,
            optional=False,
            context=notifications.swap_update_context,
        )
        register_kind(
            services.KIND_GAP,
            audience=AUDIENCE_STAFF,
            label=_("Warm-line shifts that are short of staff"),
            context=notifications.coverage_gap_context,
        )
        register_nav(
            _("Warm-line reports"),
            "reports:warmline:overview",
            "supervisor",
            order=795,
            menu="warmline",
        )
        USER_DATA.setdefault("warmline.swaprequest", UserDataPolicy("keep"))
        USER_DATA.setdefault("warmline.shiftassignment", UserDataPolicy("keep"))
        USER_DATA.setdefault("warmline.warmline", UserDataPolicy("keep"))
        USER_DATA.setdefault(
            "warmline.callrecord", UserDataPolicy("keep")
        )  # no caller data; counts survive
        register_erasure_handler(services.assignments_release_for_erased_user)
