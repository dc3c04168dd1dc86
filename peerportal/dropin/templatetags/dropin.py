from django import template

from peerportal.dropin.selectors import location_upcoming_events as _upcoming

register = template.Library()


@register.simple_tag
def location_upcoming_events(location, limit: int = 5):
    """{% location_upcoming_events location as upcoming %} — one query, published events only."""
    if location is None or not getattr(location, "pk", None):
        return []
    return _upcoming(location, limit=limit)
