"""Checking evidence uploads: type by content (not the name), size, and file names."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from .exceptions import EvidenceRejected

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024  # default; settings.EVIDENCE_MAX_BYTES overrides


def max_evidence_bytes() -> int:
    return int(getattr(settings, "EVIDENCE_MAX_BYTES", MAX_EVIDENCE_BYTES))


SIGNATURES = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
}
CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}


def check_evidence(upload) -> str:
    """Validate an uploaded file; returns a safe display name. Raises EvidenceRejected."""
    name = upload.name or ""
    if any(part in name for part in ("/", "\\", "\x00")) or name.startswith(".") or ".." in name:
        raise EvidenceRejected(
            _(
                "The file name contains a path or hidden-file characters. Please rename the file and try again."
            )
        )
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix not in SIGNATURES:
        raise EvidenceRejected(_("Only PDF, JPEG or PNG files can be uploaded as evidence."))
    limit = max_evidence_bytes()
    if upload.size > limit:
        raise EvidenceRejected(
            _("The file is larger than %(mb)s MB. Please upload a smaller file.")
            % {"mb": f"{limit / (1024 * 1024):g}"}
        )
    if upload.size == 0:
        raise EvidenceRejected(_("The file is empty."))
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(sig) for sig in SIGNATURES[suffix]):
        raise EvidenceRejected(
            _("The file's contents are not a real %(type)s file.") % {"type": suffix[1:].upper()}
        )
    declared = getattr(upload, "content_type", "") or ""
    if declared and declared != CONTENT_TYPES[suffix] and declared != "application/octet-stream":
        raise EvidenceRejected(_("The file's type does not match its name."))
    safe = "".join(c for c in name if c.isalnum() or c in "._- ")[:100]
    return safe or "evidence" + suffix


def evidence_content_type(stored_name: str) -> str | None:
    """The content type to serve a stored evidence file with (None: not a known type).

    Stored names keep only the suffix of the upload, which ``check_evidence`` matched
    against the file's contents.
    """
    suffix = "." + stored_name.rsplit(".", 1)[-1].lower() if "." in stored_name else ""
    return CONTENT_TYPES.get(suffix)
