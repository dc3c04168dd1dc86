from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "peerportal.core"
    label = "core"
    verbose_name = _("Organization")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from . import navigation  # noqa: F401  (registers core's menu entries)
        from .replan import install

        connection_created.connect(install, dispatch_uid="peerportal.core.replan")
