from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from peerportal.core.audit import audit_record
from peerportal.core.permissions import role_required

from . import exporting, selectors, services
from .forms import ImportUploadForm
from .kinds import columns_for
from .messages import render as render_message
from .models import FileFormat, ImportKind
from .reading import MAX_BYTES, MAX_ROWS, FileRefused

ROWS_PER_PAGE = 100
ACTIONS = ("refused", "create", "update", "unchanged")


@role_required("coordinator")
def import_start(request):
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.import_job_create(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                file_format=upload.file_format,
                upload=upload,
                send_invitations=form.cleaned_data["send_invitations"],
                request=request,
            )
        except FileRefused as refused:
            form.add_error("file", render_message(refused.code, refused.params))
        except services.ImportRefused as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("imports:job-detail", pk=job.pk)
    kinds = [
        {"code": code, "label": label, "columns": columns_for(code)}
        for code, label in ImportKind.choices
    ]
    return render(
        request,
        "imports/import_start.html",
        {
            "form": form,
            "kinds": kinds,
            "jobs": selectors.import_job_list_for(request.user)[:10],
            "max_mb": MAX_BYTES // (1024 * 1024),
            "max_rows": MAX_ROWS,
        },
    )


def _rendered(entries: list[dict]) -> list[dict]:
    return [{**e, "message": render_message(e["code"], e.get("params"))} for e in entries]


def _job_context(request, job) -> dict:
    report = job.report or {}
    rows = report.get("rows", [])
    show = request.GET.get("show", "")
    if show in ACTIONS:
        rows = [r for r in rows if r["action"] == show]
    else:
        # Refused rows first: they are what the coordinator must fix.
        rows = sorted(rows, key=lambda r: (r["action"] != "refused", r["line"]))
    page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    for row in page.object_list:
        row["rendered_errors"] = _rendered(row.get("errors", []))
        row["rendered_notes"] = _rendered(row.get("notes", []))
        if row["action"] == "create":
            row["shown_values"] = [
                (column, value)
                for column, value in row.get("values", {}).items()
                if value and column != "email"
            ]
    return {
        "job": job,
        "progress": services.job_progress(job),
        "file_errors": _rendered(report.get("file_errors", [])),
        "counts": report.get("counts", {}),
        "page": page,
        "show": show,
        "columns": columns_for(job.kind),
    }


@require_GET
@role_required("coordinator")
def import_job_detail(request, pk: int):
    job = selectors.import_job_get_for(request.user, pk)
    return render(request, "imports/job_detail.html", _job_context(request, job))


@require_GET
@role_required("coordinator")
def import_job_status(request, pk: int):
    """The polled fragment; once the job settles, HTMX is told to reload the whole page."""
    job = selectors.import_job_get_for(request.user, pk, with_report=False)
    response = render(
        request,
        "imports/_job_status.html",
        {"job": job, "progress": services.job_progress(job)},
    )
    if request.htmx and not job.is_active:
        response["HX-Refresh"] = "true"
    return response


@require_POST
@role_required("coordinator")
def import_job_confirm(request, pk: int):
    job = selectors.import_job_get_for(request.user, pk)
    try:
        services.import_job_confirm(actor=request.user, job=job, request=request)
    except services.ImportRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Import confirmed. It runs in the background."))
    return redirect("imports:job-detail", pk=job.pk)


def _kind_and_format(kind: str, file_format: str) -> tuple[str, str]:
    if kind not in ImportKind.values or file_format not in FileFormat.values:
        raise Http404
    return kind, file_format


@require_GET
@role_required("coordinator")
def template_download(request, kind: str, file_format: str):
    kind, file_format = _kind_and_format(kind, file_format)
    dataset = exporting.dataset_for(kind, empty=True)
    return exporting.download(dataset, file_format=file_format, filename=f"{kind}-template")


@require_GET
@role_required("coordinator")
def export_download(request, kind: str, file_format: str):
    kind, file_format = _kind_and_format(kind, file_format)
    dataset = exporting.dataset_for(kind)
    audit_record(
        actor=request.user,
        action="export.download",
        request=request,
        extra={"kind": kind, "format": file_format, "rows": dataset.height},
    )
    return exporting.download(dataset, file_format=file_format, filename=kind)
