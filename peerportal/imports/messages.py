"""Every message a dry run can give, by code; rendered in the reader's language.

Reports are stored as codes with parameters (ids, column names, line numbers and the
cell's own value), so a preview checked by a worker reads in the coordinator's language.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

MESSAGES = {
    # file level
    "too_big": _("The file is larger than %(limit)s MB. Split it into smaller files."),
    "too_many_rows": _("The file has more than %(limit)s rows. Split it into smaller files."),
    "empty": _("The file has no rows under its header."),
    "not_utf8": _(
        "The file is not in UTF-8. In your spreadsheet program, save it as “CSV UTF-8” "
        "and upload it again."
    ),
    "bad_csv": _("The file could not be read as CSV."),
    "bad_xlsx": _("The file could not be read as an Excel (.xlsx) workbook."),
    "bad_format": _("Upload a .csv or .xlsx file."),
    "missing_columns": _("Missing column(s): %(columns)s. Download the template to see them."),
    "unknown_columns": _(
        "Unknown column(s): %(columns)s. Download the template to see the right names."
    ),
    "duplicate_columns": _("Column(s) named twice: %(columns)s."),
    "apply_failed": _("The import stopped on an unexpected error; nothing was written."),
    "expired": _(
        "Nobody confirmed this import within two days; the file was deleted. Upload it again."
    ),
    # cell level
    "required": _("This value is required."),
    "too_long": _("At most %(limit)s characters."),
    "formula": _(
        "Starts with =, +, -, @, a tab or a line break, as a spreadsheet formula would. "
        "It was refused for safety: remove that first character."
    ),
    "bad_email": _("Not a valid email address."),
    "bad_role": _("Unknown role “%(value)s”. Use one of: %(choices)s."),
    "bad_language": _("Unknown language “%(value)s”. Use one of: %(choices)s."),
    "bad_time_zone": _("Unknown time zone “%(value)s”. Use a name like America/New_York."),
    "bad_date": _("“%(value)s” is not a date. Write it as YYYY-MM-DD, e.g. 2025-03-14."),
    "date_too_early": _("The date is before %(limit)s."),
    "date_in_future": _("The date is in the future."),
    "date_too_late": _("The date is after %(limit)s."),
    "expiry_before_issue": _("The expiry date must be after the issue date."),
    "expiry_without_issue": _("An expiry date needs an issue date."),
    "number_without_issue": _("A certificate number needs an issue date."),
    "bad_hours": _("“%(value)s” is not a number of hours (e.g. 1.5)."),
    "hours_range": _("Hours must be between 0 and %(limit)s, in steps of at most two decimals."),
    "no_hours": _("Give the hours of at least one topic (or elective hours)."),
    "unknown_credential_type": _("Unknown credential type “%(value)s”. Use one of: %(choices)s."),
    "unknown_person": _("Nobody with this email is in the portal. Import them as people first."),
    "not_staff": _("Credentials and training are kept for staff only; this person is a member."),
    "own_record": _(
        "You cannot import your own credentials or training: nobody approves their own."
    ),
    "own_role": _("You cannot change your own role by import."),
    "duplicate_in_file": _("The same %(what)s is already in row %(line)s of this file."),
    "number_taken": _("This certificate number is held by someone else for this credential."),
    "erased": _("This account was deleted and cannot be imported into."),
    # notes (not refusals)
    "kept_own_choice": _(
        "Kept as the person chose it: an import never changes it for an existing person."
    ),
    "empty_keeps": _("Empty: the current value is kept."),
}


def render(code: str, params: dict | None = None) -> str:
    template = MESSAGES.get(code)
    if template is None:
        return code
    return str(template) % (params or {}) if params else str(template)
