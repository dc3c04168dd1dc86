from __future__ import annotations

from pathlib import Path

from django import forms
from django.utils.translation import gettext_lazy as _

from .messages import render
from .models import ImportKind
from .reading import MAX_BYTES


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=ImportKind.choices)
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (UTF-8) or Excel .xlsx, at most 5 MB and 10,000 rows."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    send_invitations = forms.BooleanField(
        label=_("Send invitations"),
        required=False,
        help_text=_(
            "People only: email each new person a link to choose their password. Without "
            "this, nobody is emailed, and new people cannot sign in until invited."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:  # refused before anything reads it
            raise forms.ValidationError(render("too_big", {"limit": MAX_BYTES // (1024 * 1024)}))
        suffix = Path(upload.name or "").suffix.lower().lstrip(".")
        if suffix not in ("csv", "xlsx"):
            raise forms.ValidationError(render("bad_format"))
        upload.file_format = suffix
        return upload
