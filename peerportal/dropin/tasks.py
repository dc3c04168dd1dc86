from celery import shared_task

from . import services


@shared_task(name="dropin.series_expand_all")
def series_expand_all() -> int:
    """Daily: keep every active event series expanded over the rolling horizon."""
    return services.series_expand_all()
