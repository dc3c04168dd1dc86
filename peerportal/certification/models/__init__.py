"""Credential rules, certifications, records, supervision, trainings; all names import from here."""

from .certifications import (
    Attestation,
    AuditOutcome,
    Certification,
)
from .credentials import (
    ApprovedProvider,
    CETopic,
    CredentialType,
    CycleKind,
    TopicRequirement,
    YearParity,
)
from .records import (
    OWNER_EDITABLE,
    RecordStatus,
    Review,
    ReviewDecision,
    ReviewSource,
    TrainingRecord,
    evidence_path,
    private_storage,
)
from .supervision import (
    SupervisionSession,
)
from .trainings import (
    TRAINING_MAX_HOURS,
    TRAINING_MIN_HOURS,
    TrainingAttendee,
    TrainingAttendeeQuerySet,
    TrainingCredit,
    TrainingEvent,
    TrainingEventTopic,
)

__all__ = (
    "OWNER_EDITABLE",
    "TRAINING_MAX_HOURS",
    "TRAINING_MIN_HOURS",
    "ApprovedProvider",
    "Attestation",
    "AuditOutcome",
    "CETopic",
    "Certification",
    "CredentialType",
    "CycleKind",
    "RecordStatus",
    "Review",
    "ReviewDecision",
    "ReviewSource",
    "SupervisionSession",
    "TopicRequirement",
    "TrainingAttendee",
    "TrainingAttendeeQuerySet",
    "TrainingCredit",
    "TrainingEvent",
    "TrainingEventTopic",
    "TrainingRecord",
    "YearParity",
    "evidence_path",
    "private_storage",
)
