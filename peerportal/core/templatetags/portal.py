import re
from functools import lru_cache

from django import template
from django.template.defaultfilters import linebreaksbr, urlize
from django.utils.safestring import SafeData, mark_safe

from peerportal.core import chrome
from peerportal.core.privacy import suppress as _suppress

register = template.Library()


@register.simple_tag(takes_context=True)
def page_header(context):
    """base.html's skip link and top bar, remembered per process (``core.chrome``)."""
    return chrome.page_header(context)


@register.simple_tag(takes_context=True)
def page_footer(context):
    """base.html's crisis resources and contact line, remembered per process (``core.chrome``)."""
    return chrome.page_footer(context)


@register.filter
def suppress(count):
    """{{ count|suppress }} — small counts show as "<5" in reports."""
    return _suppress(count)


# 988, 911 and phone numbers ("555-0100", "+1 (800) 555-0199") in free text; not digits
# inside words or web addresses ("988lifeline.org").
_PHONE = re.compile(r"(?<![\w/.@-])(?:\+?\d[\d ().-]{5,}\d|988|911|112)(?![\w@]|\.\w)")
_TAG = re.compile(r"(<[^>]+>)")


_SHORT = re.compile(r"\b(?:988|911|112)\b")


def _tel(match: re.Match) -> str:
    number = match.group(0)
    digits = re.sub(r"[^\d+]", "", number)
    if len(digits.lstrip("+")) < 7:  # not a phone number: link only the short codes in it
        return _SHORT.sub(lambda m: f'<a href="tel:{m.group(0)}">{m.group(0)}</a>', number)
    return f'<a href="tel:{digits}">{number}</a>'


@register.filter(needs_autoescape=True)
def contact_links(text, autoescape=True):
    """Free text made safe, with web addresses and phone numbers (988, 911, 555-0100) as
    links a phone can open, and line breaks kept: ``{{ organization.crisis_resources|contact_links }}``."""
    text = text or ""
    safe = isinstance(text, SafeData)
    return mark_safe(_contact_links(str.__str__(str(text)), bool(autoescape), safe))  # noqa: S308 — escaped in _contact_links


@lru_cache(maxsize=64)
def _contact_links(text: str, autoescape: bool, safe: bool) -> str:
    # The footer shows the same crisis text on every page: linked once per process and text
    # (urlize and the phone patterns cost ≈ 0.3 ms a page). Whether the text was already
    # safe is part of the key: urlize escapes only text that is not.
    html = urlize(mark_safe(text) if safe else text, autoescape=autoescape)  # noqa: S308
    out, in_link = [], False
    for part in _TAG.split(html):
        if part.startswith("<"):
            if part.lower().startswith("<a "):
                in_link = True
            elif part.lower() == "</a>":
                in_link = False
            out.append(part)
        elif in_link:
            out.append(part)
        else:
            out.append(_PHONE.sub(_tel, part))
    return str(linebreaksbr("".join(out), autoescape=False))


@register.filter
def tel_href(number) -> str:
    """``tel:`` address of a phone number as people write it ("555-0100" → "tel:5550100")."""
    return "tel:" + re.sub(r"[^\d+]", "", str(number or ""))
