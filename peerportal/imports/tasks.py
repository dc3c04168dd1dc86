"""Thin Celery wrappers: they take the job id only (the file stays in private storage)."""

from celery import shared_task


@shared_task(name="imports.check", ignore_result=True)
def import_job_check_task(job_id: int) -> None:
    from .models import ImportJob
    from .services import import_job_check

    job = ImportJob.objects.filter(pk=job_id).first()
    if job is not None:
        import_job_check(job=job)


@shared_task(name="imports.apply", ignore_result=True)
def import_job_apply_task(job_id: int) -> None:
    from .models import ImportJob
    from .services import import_job_apply

    job = ImportJob.objects.filter(pk=job_id).first()
    if job is not None:
        import_job_apply(job=job)


@shared_task(name="imports.tidy", ignore_result=True)
def import_jobs_tidy_task() -> dict:
    from .services import import_jobs_tidy

    return import_jobs_tidy()
