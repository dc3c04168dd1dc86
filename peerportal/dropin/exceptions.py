"""Domain errors of the drop-in app; views turn them into messages."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class DropinError(Exception):
    message = _("That did not work.")

    def __str__(self) -> str:
        return str(self.message)


class EventFull(DropinError):
    message = _("Sorry, this event is full.")


class EventCancelled(DropinError):
    message = _("This event has been cancelled.")


class EventPast(DropinError):
    message = _("This event has already started, so RSVPs are closed.")


class RSVPNotOpen(DropinError):
    message = _("This event does not take RSVPs.")


class AlreadyRSVPd(DropinError):
    message = _("You have already RSVP'd to this event.")


class NoActiveRSVP(DropinError):
    message = _("You have no RSVP for this event.")


class UndoExpired(DropinError):
    message = _("There is no recent tap to undo.")


class OutOfBounds(DropinError):
    """A date, duration or count outside the portal's bounds (``core.bounds``)."""

    def __init__(self, message=None):
        super().__init__()
        if message:
            self.message = message
