from celery.schedules import crontab

BEAT_SCHEDULE = {
    "groups-sessions-horizon": {
        "task": "groups.sessions_generate_all",
        "schedule": crontab(hour=2, minute=5),
    },
}
