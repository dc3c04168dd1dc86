from celery.schedules import crontab

BEAT_SCHEDULE = {
    "certification-review-digest": {
        "task": "certification.review_digest",
        "schedule": crontab(day_of_week="mon", hour=8, minute=0),
    },
    "certification-expiry-reminders": {
        "task": "certification.expiry_reminders",
        "schedule": crontab(hour=4, minute=10),
    },
}
