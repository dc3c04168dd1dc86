from django.utils.translation import gettext_lazy as _


class CertificationError(Exception):
    message = _("That didn't work.")

    def __init__(self, message=None):
        super().__init__(str(message or self.message))


class SelfReview(CertificationError):
    message = _("Nobody can review their own training record.")


class NotYourTeam(CertificationError):
    message = _("You can only review records of people you supervise.")


class AlreadyDecided(CertificationError):
    message = _("This record has already been decided.")


class RecordClosed(AlreadyDecided):
    message = _("This record was decided or withdrawn, so it can no longer be changed.")


class EvidenceRejected(CertificationError):
    message = _("That file can't be used as evidence.")


class NotYourTraining(CertificationError):
    message = _("Only the training's facilitator or a coordinator can do that.")


class TrainingClosed(CertificationError):
    message = _("This training's attendance is already closed.")


class TrainingNotHeldYet(CertificationError):
    message = _("Attendance can be closed on the day of the training or later.")


class NotStaff(CertificationError):
    message = _("Only staff members get training credit; members can't be added.")


class TrainingInvalid(CertificationError):
    message = _("Please check the training's details.")


class NotYourRecord(CertificationError):
    message = _("Only the person who sent a record can change or withdraw it.")
