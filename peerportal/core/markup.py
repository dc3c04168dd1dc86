"""HTML made in Python for long lists, escaped exactly as the template engine escapes."""

from __future__ import annotations

import html


def escape_value(value) -> str:
    """What ``{{ value }}`` writes for ``value``: its own HTML if it is safe, else its text
    escaped. ``conditional_escape`` without the lazy-string wrapper of Django's ``escape``,
    which cost several times as much across a list's hundreds of values."""
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))
