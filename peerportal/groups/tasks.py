from celery import shared_task


@shared_task(name="groups.sessions_generate_all", ignore_result=True)
def sessions_generate_all() -> int:
    from .services import group_sessions_generate_all

    return group_sessions_generate_all()


@shared_task(name="groups.waitlist_offers_lapse_due", ignore_result=True)
def waitlist_offers_lapse_due() -> int:
    """Pass on seats whose offers were not answered in time (the scan reads ids only)."""
    from .waitlist import waitlist_offers_lapse_due as lapse

    return lapse()


@shared_task(name="groups.standing_places_check", ignore_result=True)
def standing_places_check() -> dict:
    """Ask members who missed sessions in a row; end places nobody answered for."""
    from .standing import standing_places_check as check

    return check()
