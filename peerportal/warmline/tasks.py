from celery import shared_task


@shared_task(name="warmline.shifts_generate_all", ignore_result=True)
def shifts_generate_all() -> int:
    from .services import shifts_generate_all as generate

    return generate()


@shared_task(name="warmline.coverage_gaps", ignore_result=True)
def coverage_gaps() -> int:
    from .services import coverage_gaps_alert

    return coverage_gaps_alert()
