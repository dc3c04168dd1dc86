from django import template

from peerportal.core.privacy import suppress as _suppress

register = template.Library()


@register.filter
def suppress(count):
    """{{ count|suppress }} — small counts show as "<5" in reports."""
    return _suppress(count)
