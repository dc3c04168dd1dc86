"""Certification's views, by feature; the names ``urls.py`` routes to."""

from .certifications import (
    attestation_audit,
    attestation_list,
    certification_attest,
    certification_issue,
)
from .records import (
    evidence_download,
    progress,
    record_create,
    record_detail,
    record_resubmit,
    record_withdraw,
)
from .reviews import record_review, review_queue
from .team import supervision_create, team, transcript, transcript_csv
from .trainings import (
    training_attendance,
    training_certificate,
    training_close,
    training_create,
    training_edit,
    training_list,
    training_register,
)

__all__ = [
    "attestation_audit",
    "attestation_list",
    "certification_attest",
    "certification_issue",
    "evidence_download",
    "progress",
    "record_create",
    "record_detail",
    "record_resubmit",
    "record_review",
    "record_withdraw",
    "review_queue",
    "supervision_create",
    "team",
    "training_attendance",
    "training_certificate",
    "training_close",
    "training_create",
    "training_edit",
    "training_list",
    "training_register",
    "transcript",
    "transcript_csv",
]
