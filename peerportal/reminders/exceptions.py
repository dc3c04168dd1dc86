"""Domain errors of the reminders app; views turn them into messages."""

from django.utils.translation import gettext_lazy as _


class ReminderError(Exception):
    message = _("This reminder cannot be changed.")

    def __str__(self) -> str:
        return str(self.message)


class ReminderNotFailed(ReminderError):
    message = _("Only failed reminders can be retried; this one is no longer failed.")
