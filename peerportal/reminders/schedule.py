"""Beat: one scan a minute claims due reminders (no long ETA/countdown tasks anywhere:
Redis would redeliver those after its visibility timeout)."""

BEAT_SCHEDULE = {
    "reminders-dispatch-due": {
        "task": "reminders.dispatch_due",
        "schedule": 60.0,
        # A scan queued while no worker runs is useless a minute later; the next one covers it.
        "options": {"expires": 55},
    },
}
