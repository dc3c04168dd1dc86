from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WarmlineConfig(AppConfig):
    name = "peerportal.warmline"
    label = "warmline"
    verbose_name = _("Warm line")
