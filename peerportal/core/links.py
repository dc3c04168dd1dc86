"""Links for long lists, made with one remembered ``reverse()`` instead of one a row."""

from __future__ import annotations

from collections.abc import Callable

from .templatetags.formatting_cache import cached_url

_MARKER = "8123456789"


def pk_link(name: str) -> Callable[[int], str]:
    """``pk -> reverse(name, args=[pk])`` for a URL pattern whose one argument is an
    ``<int:pk>`` path segment: the same link ``{% url name pk %}`` gives, without resolving
    the pattern again for every row (nor for every list: ``cached_url`` keeps the one
    ``reverse()`` per process, under the script prefix, URL conf and language too)."""
    head, _marker, tail = cached_url(name, int(_MARKER)).partition(_MARKER)
    return lambda pk: f"{head}{pk}{tail}"
