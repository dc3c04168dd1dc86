from celery.schedules import crontab

BEAT_SCHEDULE = {
    "warmline-shift-horizon": {
        "task": "warmline.shifts_generate_all",
        "schedule": crontab(hour=2, minute=25),
    },
    "warmline-coverage-gaps": {
        "task": "warmline.coverage_gaps",
        "schedule": crontab(hour=7, minute=30),
    },
}
