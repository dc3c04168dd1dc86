from django.utils.translation import gettext_lazy as _


class WarmLineError(Exception):
    message = _("That didn't work.")

    def __init__(self, message=None):
        super().__init__(str(message or self.message))


class NotQualified(WarmLineError):
    pass


class Overlap(WarmLineError):
    message = _("You are already on a shift at that time.")


class TooManyHours(WarmLineError):
    message = _("This shift would take you over the maximum hours for that week.")

    def __init__(self, message=None, *, limit=None, current=None):
        if message is None and limit is not None and current is not None:
            from .eligibility import format_hours

            message = _(
                "This shift would take you over the maximum of %(limit)s h a week; "
                "you have %(current)s h that week."
            ) % {"limit": format_hours(limit), "current": format_hours(current)}
        super().__init__(message)


class ShiftFull(WarmLineError):
    message = _("This shift is already fully staffed.")


class NotProgramMember(WarmLineError):
    message = _("Only members of this warm line's program can sign up for its shifts.")


class ReleaseTooLate(WarmLineError):
    message = _("It's too close to the start to release this shift. Please ask a coordinator.")


class EditWindowClosed(WarmLineError):
    message = _("Call records can only be changed shortly after they are written.")


class SwapNotOpen(WarmLineError):
    message = _("This swap is no longer open.")
