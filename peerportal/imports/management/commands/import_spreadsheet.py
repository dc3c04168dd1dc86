"""Import a spreadsheet from the command line: the same checks, report and transaction.

    python manage.py import_spreadsheet people members.csv --as coordinator@example.org
    python manage.py import_spreadsheet training log.xlsx --as … --commit

Without ``--commit`` it is a dry run and writes nothing. It runs in this process (no worker
needed) through the same job and services as the web page.
"""

from __future__ import annotations

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError

from peerportal.accounts.models import User
from peerportal.imports import services
from peerportal.imports.messages import render
from peerportal.imports.models import ImportKind, JobStatus
from peerportal.imports.reading import MAX_BYTES, FileRefused


class Command(BaseCommand):
    help = (
        "Check (and with --commit, import) a CSV or XLSX file of people, credentials or training."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=ImportKind.values)
        parser.add_argument("path")
        parser.add_argument("--as", dest="actor", required=True, help="the coordinator's email")
        parser.add_argument("--commit", action="store_true", help="write (default: dry run)")
        parser.add_argument("--send-invitations", action="store_true")

    def handle(self, *args, kind, path, actor, commit, send_invitations, **options):
        coordinator = User.objects.filter(email__iexact=actor, role="coordinator").first()
        if coordinator is None:
            raise CommandError("No coordinator with that email.")
        file = Path(path)
        suffix = file.suffix.lower().lstrip(".")
        if suffix not in ("csv", "xlsx"):
            raise CommandError(render("bad_format"))
        if file.stat().st_size > MAX_BYTES:
            raise CommandError(render("too_big", {"limit": MAX_BYTES // (1024 * 1024)}))
        upload = SimpleUploadedFile(f"upload.{suffix}", file.read_bytes())
        try:
            job = services.import_job_create(
                actor=coordinator,
                kind=kind,
                file_format=suffix,
                upload=upload,
                send_invitations=send_invitations,
            )
        except FileRefused as refused:
            raise CommandError(render(refused.code, refused.params)) from None
        job = services.import_job_check(job=job)
        self._report(job)
        if job.status != JobStatus.CHECKED:
            raise CommandError("Not imported: fix the refused rows and run again.")
        if not commit:
            self.stdout.write("Dry run: nothing was written. Add --commit to import.")
            return
        job = services.import_job_confirm(actor=coordinator, job=job)
        job = services.import_job_apply(job=job)
        if job.status != JobStatus.DONE:
            self._report(job)
            raise CommandError("Not imported: nothing was written.")
        counts = job.counts
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported (job {job.pk}): {counts['create']} created, "
                f"{counts['update']} updated, {counts['unchanged']} unchanged."
            )
        )

    def _report(self, job) -> None:
        for error in job.report.get("file_errors", []):
            self.stderr.write(render(error["code"], error.get("params")))
        for row in job.report.get("rows", []):
            if row["action"] == "refused":
                for error in row["errors"]:
                    message = render(error["code"], error.get("params"))
                    self.stderr.write(f"row {row['line']}, {error['column']}: {message}")
        counts = job.report.get("counts")
        if counts:
            self.stdout.write(
                f"{counts['create']} to create, {counts['update']} to update, "
                f"{counts['unchanged']} unchanged, {counts['refused']} refused."
            )
