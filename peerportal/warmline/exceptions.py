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
