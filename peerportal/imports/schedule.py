from celery.schedules import crontab

BEAT_SCHEDULE = {
    "imports-tidy": {
        "task": "imports.tidy",
        "schedule": crontab(minute="*/5"),
    },
}
