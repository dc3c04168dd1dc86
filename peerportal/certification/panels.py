from __future__ import annotations

from . import selectors


def my_progress(request) -> dict:
    # The panel shows each credential's status, not initial-training progress: no hours.
    user = request.user
    return {"standings": selectors.standings_by_person([user], initial=False)[user.pk]}


def pending_reviews(request) -> dict:
    return {"count": selectors.review_queue_for(request.user).count()}
