from celery.schedules import crontab

BEAT_SCHEDULE = {
    "groups-sessions-horizon": {
        "task": "groups.sessions_generate_all",
        "schedule": crontab(hour=2, minute=5),
    },
    "groups-standing-places-check": {
        "task": "groups.standing_places_check",
        "schedule": crontab(hour=9, minute=15),  # daytime, so the question isn't sent at night
    },
    "groups-waitlist-offers-lapse": {
        "task": "groups.waitlist_offers_lapse_due",
        "schedule": crontab(),  # every minute: offers last hours, a minute's delay is fine
    },
}
