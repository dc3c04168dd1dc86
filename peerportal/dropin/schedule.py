from celery.schedules import crontab

BEAT_SCHEDULE = {
    "dropin-expand-series": {
        "task": "dropin.series_expand_all",
        "schedule": crontab(hour=2, minute=41),
    },
}
