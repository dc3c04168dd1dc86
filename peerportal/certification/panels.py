from __future__ import annotations

from . import selectors


def my_progress(request) -> dict:
    return {"standings": selectors.standings_for(request.user)}


def pending_reviews(request) -> dict:
    return {"count": selectors.review_queue_for(request.user).count()}
