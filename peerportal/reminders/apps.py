from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemindersConfig(AppConfig):
    name = "peerportal.reminders"
    label = "reminders"
    verbose_name = _("Reminders")

    def ready(self) -> None:
        from peerportal.accounts.userdata import USER_DATA, UserDataPolicy
        from peerportal.core.navigation import register_nav, register_panel

        from . import panels

        register_nav(
            _("My reminders"), "reminders:reminder-list", "member", order=700, menu="account"
        )
        register_nav(
            _("Failed reminders"),
            "reminders:reminder-failed-list",
            "coordinator",
            order=930,
            menu="admin",
        )
        register_panel(
            "reminders/panel_failed.html", "coordinator", order=950, context=panels.failed
        )
        USER_DATA.setdefault("reminders.notificationpreference", UserDataPolicy("delete"))
