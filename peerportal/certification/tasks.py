from celery import shared_task


@shared_task(name="certification.review_digest", ignore_result=True)
def review_digest() -> int:
    from .services import review_digest_send

    return review_digest_send()


@shared_task(name="certification.expiry_reminders", ignore_result=True)
def expiry_reminders() -> int:
    """Daily: keep expiry reminders in line with renewals and lapses."""
    from .models import Certification
    from .services import certification_schedule_reminders

    count = 0
    for cert in Certification.objects.filter(issued_on__isnull=False).select_related(
        "holder", "credential_type"
    ):
        certification_schedule_reminders(certification=cert)
        count += 1
    return count
