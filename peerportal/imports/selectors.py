from __future__ import annotations

from django.shortcuts import get_object_or_404

from peerportal.core.permissions import require_role

from .models import ImportJob


def import_job_list_for(user):
    require_role(user, "coordinator")
    return ImportJob.objects.filter(created_by=user).defer("report")


def import_job_get_for(user, pk: int, *, with_report: bool = True) -> ImportJob:
    """A coordinator's own job; anyone else's is a 404. The polled status skips the report
    (up to 10,000 rows of preview)."""
    require_role(user, "coordinator")
    jobs = ImportJob.objects.filter(created_by=user)
    if not with_report:
        jobs = jobs.defer("report")
    return get_object_or_404(jobs, pk=pk)
