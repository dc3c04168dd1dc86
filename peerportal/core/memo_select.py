"""A ``<select>`` widget that remembers its HTML, for GET filter forms on busy pages.

Django renders a select through a template, and each ``<option>`` through another one:
about half a millisecond for a select of a handful of options, on every request of a
list page. ``MemoSelect`` gives exactly the same HTML (it is Django's ``Select``), kept per
process under everything that goes into it — the name, the selected value, the final
attributes (classes, ``aria-invalid``...), the choices as shown, the active language and the
renderer — so a change to any of them (a new location, another language) renders afresh.
Only flat ``(value, label)`` choices are remembered; anything else renders every time.
The table is cleared when it reaches ``MAX_ENTRIES`` (the selected value comes from the
query string).
"""

from __future__ import annotations

from django import forms
from django.utils.translation import get_language

MAX_ENTRIES = 500
_rendered: dict[tuple, str] = {}


class MemoSelect(forms.Select):
    def _key(self, name, value, attrs, renderer) -> tuple | None:
        choices = []
        for option_value, label in self.choices:
            if isinstance(label, (list, tuple)):  # an option group
                return None
            choices.append((str(option_value), str(label)))
        return (
            type(self),
            name,
            tuple(self.format_value(value)),
            tuple(sorted(self.build_attrs(self.attrs, attrs).items())),
            tuple(choices),
            get_language(),
            id(renderer),
        )

    def render(self, name, value, attrs=None, renderer=None):
        # Read the choices once (a model choice field's are a query): the key and a fresh
        # render both walk them.
        self.choices = [*iter(self.choices)]  # iter(): no COUNT query for a length hint
        try:
            key = self._key(name, value, attrs, renderer)
            html = _rendered.get(key) if key is not None else None
        except TypeError:  # something unhashable in the attributes
            key = html = None
        if html is None:
            html = super().render(name, value, attrs, renderer)
            if key is not None:
                if len(_rendered) >= MAX_ENTRIES:
                    _rendered.clear()
                _rendered[key] = html
        return html
