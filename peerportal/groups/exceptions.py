from django.utils.translation import gettext_lazy as _


class GroupsError(Exception):
    """A booking or session change the rules do not allow; the message is for the person."""

    message = _("That didn't work.")

    def __init__(self, message=None):
        super().__init__(str(message or self.message))


class AlreadyBooked(GroupsError):
    message = _("You already have a place (or a waitlist spot) for this session.")


class BookingNotOpen(GroupsError):
    message = _("Booking for this session hasn't opened yet.")


class BookingClosed(GroupsError):
    message = _("Booking for this session has closed.")


class SessionCancelled(GroupsError):
    message = _("This session has been cancelled.")


class CancellationTooLate(GroupsError):
    message = _(
        "It's too close to the start to cancel online. Please let the facilitator know if you can't come."
    )


class NotBooked(GroupsError):
    message = _("You have no booking for this session.")


class AttendanceNotOpen(GroupsError):
    message = _("Attendance can be taken from 30 minutes before the session starts.")


class NotFacilitator(GroupsError):
    message = _("Only this group's facilitators can do that.")


class InvalidGroup(GroupsError):
    message = _("Some of the group's settings are not possible.")


class PlanChanged(GroupsError):
    message = _(
        "The group's sessions changed while you were reviewing (someone booked or cancelled). "
        "Please check what will happen again."
    )


class GroupHasBookings(GroupsError):
    message = _(
        "This group has had bookings, so it can't be deleted: archive it instead. "
        "Its history stays for members and reports."
    )
