"""The credential cards of "my training" and the transcript, as HTML made in Python.

The template these replace (``_standings.html``) ran ≈ 4,500 Python calls for two
credentials: a dozen tags, three ``floatformat`` and two translations per requirement. Here
each translated string is looked up once a call, each number formatted as the template
formatted it (``floatformat`` localizes: "1,5" on Spanish pages; dates and the link come
from the per-process tables of ``formatting_cache``), and every value that
comes from the data is escaped; translated literals go in as they are, as
``{% translate %}`` puts them in.
"""

from __future__ import annotations

from django.middleware.csrf import get_token
from django.template.defaultfilters import floatformat
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from peerportal.core.templatetags.formatting_cache import cached_date, cached_url

from . import rules

_BADGES = {
    rules.Status.ACTIVE: "text-bg-success",
    rules.Status.EXPIRING: "text-bg-warning",
    rules.Status.IN_GRACE: "text-bg-warning",
    rules.Status.LAPSED: "text-bg-danger",
}


def _hours(value) -> str:
    return floatformat(value, "-2")


def standings_html(request, standings, *, show_pending: bool = False) -> SafeString:
    """One card per credential: status, expiry, the current cycle's requirements (with the
    attestation button for the holder's own certification when it is due), or initial
    training while in training. ``show_pending``: the hours waiting for review
    (``selectors.add_pending_hours``) are on the rows and shown."""
    esc = conditional_escape
    if not standings:
        return mark_safe(  # noqa: S308 — a translated literal
            "<p>"
            + _("No credentials recorded yet. A coordinator records them when you start training.")
            + "</p>\n"
        )
    progress_label = _("Progress")
    parts = []
    for s in standings:
        standing = s["standing"]
        cert = s["certification"]
        badge = _BADGES.get(standing.status, "text-bg-secondary")
        html = (
            '\n<section class="card mb-3"><div class="card-body">\n'
            f'  <h3 class="h5">{esc(cert.credential_type.name)}\n'
            f'    <span class="badge {badge}">{esc(s["status_label"])}</span></h3>\n  '
        )
        if standing.expires_on:
            valid = _("Valid until %(d)s (%(n)s days)") % {
                "d": esc(cached_date(standing.expires_on, "j F Y")),
                "n": s["days_to_expiry"],
            }
            html += f'<p class="mb-1">{valid}</p>'
        pending = ""
        if show_pending and s.get("pending_hours"):
            pending = _("Waiting for review: %(n)s h more that will count once approved.") % {
                "n": _hours(s["pending_hours"])
            }
        progress = standing.progress
        if progress:
            html += "\n  \n    "
            if progress.waived:
                html += f"<p>{_('Continuing education is waived this cycle.')}</p>"
            html += (
                '\n    <p class="small mb-1">'
                + _("Hours shown are approved hours in the current cycle.")
                + (f" {pending}" if pending else "")
                + '</p>\n    <ul class="list-unstyled">'
            )
            for r in progress.requirements:
                if r.label == "attestation":
                    done = _("done") if r.met else _("not yet")
                    text = f"{_('Attestation for this cycle')}: {done}"
                else:
                    label = _("Continuing education, total") if r.label == "total" else esc(r.label)
                    text = f"{label}: {_hours(r.done)} / {_hours(r.required)} h"
                    if r.short_by:
                        text += " (" + _("%(n)s h to go") % {"n": _hours(r.short_by)} + ")"
                html += (
                    f'\n      <li><span class="d-inline-block me-2">{text}</span>\n'
                    f'      <progress max="100" value="{r.percent}" aria-label="{progress_label}">'
                    f"{r.percent}%</progress></li>\n    "
                )
            html += "</ul>\n    "
            if s["can_attest"] and cert.holder_id == request.user.pk:
                html += format_html(
                    '\n    <form method="post" action="{}" data-confirm="{}">'
                    '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
                    '<input type="hidden" name="certification" value="{}">\n'
                    '      <button class="btn btn-outline-primary btn-sm" type="submit">{}</button>'
                    "</form>\n    ",
                    cached_url("certification:certification-attest"),
                    mark_safe(  # noqa: S308 — a translated literal, as {% translate %} puts it
                        _(
                            "I attest that my training records for this cycle are true and "
                            "complete, and I will keep the evidence in case of an audit."
                        )
                    ),
                    get_token(request),
                    cert.pk,
                    mark_safe(_("Attest for this cycle")),  # noqa: S308 — a translated literal
                )
            html += "\n  "
        else:
            html += '\n  \n    <ul class="list-unstyled">'
            for r in s["initial"].requirements:
                label = (
                    _("Initial training")
                    if r.label == "initial training"
                    else _("Supervised practice")
                )
                html += f"\n      <li>{label}: {_hours(r.done)} / {_hours(r.required)} h</li>\n    "
            html += "</ul>\n    "
            if pending:
                html += f'<p class="small mb-0">{pending}</p>'
            html += "\n  "
        parts.append(html + "\n</div></section>\n")
    parts.append("\n")
    return mark_safe("".join(parts))  # noqa: S308 — every value above is escaped or made here
