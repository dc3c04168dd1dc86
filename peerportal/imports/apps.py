from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "peerportal.imports"
    label = "imports"
    verbose_name = _("Import and export")

    def ready(self) -> None:
        from peerportal.accounts.userdata import USER_DATA, UserDataPolicy
        from peerportal.core.navigation import register_nav
        from peerportal.reminders.registry import register_kind

        from . import notifications, services, signals  # noqa: F401 (signals: receivers)

        register_nav(_("Import"), "imports:import-start", "coordinator", order=905, menu="admin")
        register_kind(
            services.KIND_INVITATION,
            label=_("Invitation to set a password"),
            optional=False,
            context=notifications.invitation_context,
        )
        # A job's preview lists other people's rows, not its creator's data: kept, and the
        # creator pseudonymised with the account. The uploaded file is deleted once applied.
        USER_DATA.setdefault("imports.importjob", UserDataPolicy("keep", exclude=("report",)))
