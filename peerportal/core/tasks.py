from celery import shared_task


@shared_task(name="core.audit_purge_expired", ignore_result=True)
def audit_purge_expired() -> int:
    from .services import audit_purge_expired as purge

    return purge()
