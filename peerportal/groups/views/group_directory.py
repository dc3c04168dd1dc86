"""The public group directory: its filters, the kept filter form and the cards."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import render
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from peerportal.core.links import pk_link
from peerportal.core.markup import escape_value
from peerportal.core.templatetags.formatting_cache import cached_date

from .. import selectors
from ..forms import DirectoryFilterForm
from ..models import GroupFormat


@require_GET
def directory(request):
    # The filters only read their own fields: other parameters (the page) leave them empty,
    # without building a form to find that out.
    fields = DirectoryFilterForm.base_fields
    data = request.GET or None
    submitted = data is not None and any(name in data for name in fields)
    form = DirectoryFilterForm(data) if submitted else None
    filters = form.cleaned_data if form is not None and form.is_valid() else {}
    groups = selectors.group_directory(
        q=filters.get("q") or "",
        topic=filters.get("topic").pk if filters.get("topic") else None,
        fmt=filters.get("format") or "",
        weekday=filters.get("day"),
        language=filters.get("language") or "",
        location=filters.get("location").pk if filters.get("location") else None,
    )
    page = Paginator(groups, 20).get_page(request.GET.get("page"))
    topics, locations = selectors.directory_choices()
    return render(
        request,
        "groups/directory.html",
        {
            "filters": _filter_form_html(data, form, topics, locations),
            "page": page,
            "cards": _directory_cards(_directory_rows(page, topics)),
        },
    )


# The filter form's HTML is the same for everyone who submits the same filters: kept per
# process under everything it shows — the submitted values of its fields (errors follow
# from them and the options), whether it was submitted at all, the topic and location
# options as read for this request, and the language.
_FILTER_FORMS: dict[tuple, str] = {}
_FILTER_FORMS_MAX = 500


def _filter_form_html(data, form, topics, locations) -> SafeString:
    names = DirectoryFilterForm.base_fields
    submitted = tuple((name, tuple(data.getlist(name))) for name in names) if data else ()
    key = (data is not None, submitted, tuple(topics), tuple(locations), translation.get_language())
    kept = _FILTER_FORMS.get(key)
    if kept is None:
        if form is None:  # nothing to filter by: the form as that data shows it
            form = DirectoryFilterForm(data)
            form.is_valid()
        form.set_choices(topics=topics, locations=locations)
        kept = get_template("groups/_directory_filters.html").render({"form": form})
        if len(_FILTER_FORMS) >= _FILTER_FORMS_MAX:
            _FILTER_FORMS.clear()
        _FILTER_FORMS[key] = kept
    return SafeString(kept)  # rendered by the template engine (autoescaped)


def _directory_rows(page, topics) -> list[dict]:
    """The page's groups as the cards show them: labels translated once a request (not
    ``get_FOO_display`` per card, which translates every choice), topics and next session
    read for the page's groups in one query each, links made with one ``reverse()``."""
    groups = list(page.object_list)
    ids = [g["id"] for g in groups]
    topics = selectors.directory_topics(ids, topics) if ids else {}
    next_sessions = selectors.directory_next_sessions(ids) if ids else {}
    formats = {value: str(label) for value, label in GroupFormat.choices}
    languages = {value: str(label) for value, label in settings.LANGUAGES}
    link = pk_link("groups:group-detail")
    rows = []
    for g in groups:
        nxt = next_sessions.get(g["id"])
        if nxt is not None:
            starts_at, capacity, confirmed = nxt
            seats = capacity if capacity is not None else g["capacity"]
            nxt = {"starts_at": starts_at, "full": confirmed >= seats}
        rows.append(
            {
                "name": g["name"],
                "url": link(g["id"]),
                "format": formats.get(g["format"], g["format"]),
                "language": languages.get(g["language"], g["language"]),
                "location": g["location__name"],
                "topics": topics.get(g["id"], ()),
                "description": g["description"],
                "next": nxt,
            }
        )
    return rows


# One directory card, as the template's loop wrote it (a test renders both and compares).
_CARD = (
    '\n  <div class="col-md-6">\n    <article class="card h-100">\n      <div class="card-body">\n'
    '        <h2 class="h5 card-title"><a href="{url}">{name}</a></h2>\n'
    '        <p class="mb-1 small">{format} · {language}{location}</p>\n'
    '        <p class="mb-2">{topics}</p>\n'
    '        <p class="card-text">{description}</p>\n'
    "        \n          {next}\n        \n"
    "      </div>\n    </article>\n  </div>\n"
)
_TOPIC = '<span class="badge text-bg-light border me-1">{}</span>'


def _directory_cards(rows: list[dict]) -> SafeString:
    """The cards' HTML made here in one pass (the template's loop ran ≈ 30 nodes a card):
    every value from the database is escaped; translated literals go in as they are, as
    ``{% translate %}`` puts them in."""
    esc = escape_value
    next_label = _("Next:")
    state = {True: _("full — waitlist open"), False: _("places available")}
    none = (
        f'<p class="mb-0 small text-body-secondary">{_("No sessions in the next two weeks.")}</p>'
    )
    tz = timezone.get_current_timezone()
    cards = []
    for row in rows:
        nxt = row["next"]
        if nxt:
            when = cached_date(timezone.localtime(nxt["starts_at"], tz), "l j F, H:i")
            nxt = (
                f'<p class="mb-0 small"><strong>{next_label}</strong> {esc(when)} ·\n'
                f"            {state[bool(nxt['full'])]}</p>\n          "
            )
        cards.append(
            _CARD.format(
                url=esc(row["url"]),
                name=esc(row["name"]),
                format=esc(row["format"]),
                language=esc(row["language"]),
                location=f" · {esc(row['location'])}" if row["location"] else "",
                topics="".join([_TOPIC.format(esc(topic)) for topic in row["topics"]]),
                description=esc(Truncator(row["description"]).words(30, truncate=" …")),
                next=nxt or none,
            )
        )
    return SafeString("".join(cards))
