"""Domain errors of the reminders app; views turn them into messages."""

from django.utils.translation import gettext_lazy as _


class ReminderError(Exception):
    message = _("This reminder cannot be changed.")

    def __str__(self) -> str:
        return str(self.message)


class ReminderNotFailed(ReminderError):
    message = _("Only failed reminders can be retried; this one is no longer failed.")


class PreferenceInvalid(ReminderError):
    """Email preferences outside the bounds (no time ticked, empty quiet hours…)."""

    def __init__(self, message=None):
        super().__init__()
        if message:
            self.message = message
