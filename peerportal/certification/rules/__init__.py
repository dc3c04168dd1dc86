"""The credential rule engine: cycles, progress and status, computed from data.

Pure functions over a credential type, a certification and its approved records, so the
boundaries (exactly enough hours, one hour short, expiry day, grace end) are easy to test.

* A cycle ends on its expiry date: valid while ``day < expires_on``.
* Anniversary cycles run ``cycle_months`` from the issue date; fixed cycles end on a
  calendar date (e.g. 1 September of odd-numbered years) — the first such date after issue.
* At each cycle's end the certification renews if that cycle's requirements were met
  (or waived); otherwise it is in grace for ``grace_days``, then lapsed.
* An expiry date recorded from the certificate (``expires_on``) wins over the computed
  one and does not renew by itself: past it the holder is in grace, then lapsed, until the
  renewal is recorded (a new issue date).
* Requirements: a CE total with per-topic minimums counted inside it (the rest is
  elective, unless only the listed topics count); where the credential counts only approved providers, other events count only
  when the holder asked for credit and a supervisor approved the record (the review is
  the request-for-credit step); where it asks for an attestation, the cycle needs one
  that has not failed an audit. A waiver (first cycle, issued within N months of its
  end) covers all of these.
* Expiring soon: within ``expiring_soon_days`` of the end with the cycle's requirements
  not yet met (or always, for a recorded expiry that will not renew by itself).

By concern: ``cycle_dates`` (cycle arithmetic), ``progress`` (requirements met or not),
``standings`` (the status on a day) and ``record_applicability`` (whether one record
counts, and why); ``_shared`` decides which approved records count in a cycle, for all
three. Every public name is importable from here.
"""

from .cycle_dates import Cycle, add_months, cycles, next_cycle_end
from .progress import ZERO, Progress, Requirement, ce_progress, countable, initial_progress
from .record_applicability import Applicabilities, Applicability, applicability
from .standings import STATUS_LABELS, Standing, Status, current_cycle, standing

__all__ = (
    "STATUS_LABELS",
    "ZERO",
    "Applicabilities",
    "Applicability",
    "Cycle",
    "Progress",
    "Requirement",
    "Standing",
    "Status",
    "add_months",
    "applicability",
    "ce_progress",
    "countable",
    "current_cycle",
    "cycles",
    "initial_progress",
    "next_cycle_end",
    "standing",
)
