"""Issuing certifications, holders' attestations and their audits."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from peerportal.core.permissions import role_required

from .. import selectors, services
from ..exceptions import CertificationError
from ..forms import AuditDecisionForm, IssueForm


@role_required("coordinator")
def certification_issue(request):
    form = IssueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.certification_issue(actor=request.user, request=request, **form.cleaned_data)
        except CertificationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Certification recorded."))
            return redirect("certification:team")
    return render(request, "certification/issue_form.html", {"form": form})


@require_POST
@role_required("staff")
def certification_attest(request):
    """POST ``certification=<id>``; only the holder's own certification (else 404)."""
    try:
        pk = int(request.POST.get("certification", ""))
    except ValueError:
        pk = 0
    cert = selectors.certification_get_own(request.user, pk)
    try:
        services.certification_attest(holder=request.user, certification=cert, request=request)
    except CertificationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Thank you: your attestation is recorded."))
    return redirect("certification:progress")


@require_GET
@role_required("coordinator")
def attestation_list(request):
    page = Paginator(selectors.attestation_list_for(request.user), 25).get_page(
        request.GET.get("page")
    )
    return render(request, "certification/attestation_list.html", {"page": page})


@role_required("coordinator")
def attestation_audit(request, pk: int):
    """Select an attestation for audit, look at the cycle's records and evidence, decide."""
    att = selectors.attestation_get_for(request.user, pk)
    form = AuditDecisionForm(request.POST or None)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "select":
                services.attestation_audit_select(
                    actor=request.user, attestation=att, request=request
                )
                messages.success(request, _("Selected for audit; the holder has been told."))
                return redirect("certification:attestation-audit", pk=att.pk)
            if form.is_valid():
                services.attestation_audit_decide(
                    actor=request.user,
                    attestation=att,
                    passed=form.cleaned_data["outcome"] == "passed",
                    comment=form.cleaned_data["comment"],
                    request=request,
                )
                messages.success(request, _("Audit outcome saved; the holder has been told."))
                return redirect("certification:attestation-list")
        except CertificationError as exc:
            form.add_error(None, str(exc))
    return render(
        request,
        "certification/attestation_audit.html",
        {
            "attestation": att,
            "records": selectors.records_for_attestation(att),
            "form": form,
        },
    )
