from celery.schedules import crontab

BEAT_SCHEDULE = {
    "core-audit-retention": {
        "task": "core.audit_purge_expired",
        "schedule": crontab(hour=3, minute=17),
    },
}
