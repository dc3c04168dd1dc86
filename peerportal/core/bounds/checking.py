"""Running bound checks: the organization's today, form_check, enforced, Checks, ranges."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.utils import timezone


def local_today(now: dt.datetime | None = None) -> dt.date:
    """Today in the organization's time zone."""
    from ..models import Organization

    return timezone.localtime(now or timezone.now(), Organization.get().tzinfo).date()


@contextmanager
def enforced(error_cls: Callable[[str], Exception]) -> Iterator[None]:
    """Run bound checks in a service: a ``ValidationError`` becomes ``error_cls(message)``."""
    try:
        yield
    except ValidationError as exc:
        raise error_cls(" ".join(str(m) for m in exc.messages)) from exc


def form_check(
    form, field: str | None, check: Callable, *args, rename: dict | None = None, **kwargs
) -> bool:
    """Run ``check`` in a form's ``clean()``; a failure becomes an error on ``field`` (or,
    for a :class:`Checks` error, on each named field, ``rename`` mapping check names to the
    form's field names)."""
    try:
        check(*args, **kwargs)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for name, errors in exc.error_dict.items():
                name = (rename or {}).get(name, name)
                form.add_error(name if name in form.fields else None, errors)
        else:
            form.add_error(field if field in form.fields else None, exc)
        return False
    return True


class Checks:
    """Collect several checks' errors by field, then raise them as one ``ValidationError``.

    An app's ``<entity>_check_bounds`` builds one of these; a form passes it to
    :func:`form_check` (each message lands on its field), a service runs it inside
    :func:`enforced` (one domain error).
    """

    def __init__(self) -> None:
        self.errors: dict[str, list[ValidationError]] = {}

    def run(self, field: str, check: Callable, *args, **kwargs) -> bool:
        try:
            check(*args, **kwargs)
        except ValidationError as exc:
            self.errors.setdefault(field, []).append(exc)
            return False
        return True

    def add(self, field: str, message: str, code: str = "invalid") -> None:
        self.errors.setdefault(field, []).append(ValidationError(message, code=code))

    def raise_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def _between(value, low, high, message: str, code: str) -> None:
    if value is None:
        return
    if value < low or value > high:
        raise ValidationError(message, code=code, params={"low": low, "high": high})
