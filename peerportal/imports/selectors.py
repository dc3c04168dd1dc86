from __future__ import annotations

from django.shortcuts import get_object_or_404

from peerportal.core.permissions import require_role

from .models import ImportJob


def import_job_list_for(user):
    require_role(user, "coordinator")
    return ImportJob.objects.filter(created_by=user).defer("report")


def import_job_get_for(user, pk: int) -> ImportJob:
    """A coordinator's own job; anyone else's is a 404."""
    require_role(user, "coordinator")
    return get_object_or_404(ImportJob, pk=pk, created_by=user)
