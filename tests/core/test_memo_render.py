"""The remembered |date/|time filters and the remembered <select> give exactly what Django's
own give, and a change to anything that goes into them shows."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django import forms
from django.template import engines
from django.utils import timezone, translation

from peerportal.core.memo_select import MemoSelect

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")


def _render(source: str, **context) -> str:
    return engines["django"].from_string("{% load formatting_cache %}" + source).render(context)


def test_cached_date_matches_date_in_each_zone_and_language():
    moment = dt.datetime(2027, 3, 14, 23, 30, tzinfo=dt.UTC)
    day = dt.date(2027, 3, 1)
    formats = ["D j M Y, H:i", "l j F Y, H:i", "c", "e", "F Y"]
    for zone in (NEW_YORK, TOKYO):
        for language in ("en", "es"):
            with timezone.override(zone), translation.override(language):
                for fmt in formats:
                    for _twice in range(2):  # the second time comes from the table
                        assert _render(f'{{{{ m|cached_date:"{fmt}" }}}}', m=moment) == _render(
                            f'{{{{ m|date:"{fmt}" }}}}', m=moment
                        )
                assert _render('{{ m|cached_time:"H:i" }}', m=moment) == _render(
                    '{{ m|time:"H:i" }}', m=moment
                )
                assert _render('{{ d|cached_date:"l j" }}', d=day) == _render(
                    '{{ d|date:"l j" }}', d=day
                )
    with timezone.override(NEW_YORK):
        assert _render('{{ m|cached_time:"H:i" }}', m=moment) == "19:30"
    with timezone.override(TOKYO):
        assert _render('{{ m|cached_time:"H:i" }}', m=moment) == "08:30"
    assert _render("{{ m|cached_date:'j M' }}", m=None) == ""


def test_cached_date_tells_the_two_sides_of_a_dst_fold_apart():
    # 01:30 happens twice in New York on 7 November 2027: EDT first, then EST.
    first = dt.datetime(2027, 11, 7, 5, 30, tzinfo=dt.UTC)
    second = first + dt.timedelta(hours=1)
    with timezone.override(NEW_YORK):
        assert _render('{{ a|cached_date:"c" }} {{ b|cached_date:"c" }}', a=first, b=second) == (
            "2027-11-07T01:30:00-04:00 2027-11-07T01:30:00-05:00"
        )


class _Form(forms.Form):
    place = forms.ChoiceField(
        choices=[("", "Anywhere"), ("1", "Harbor")], required=False, widget=MemoSelect
    )


def test_memo_select_renders_as_select_and_follows_value_choices_and_errors():
    class Plain(forms.Form):
        place = forms.ChoiceField(choices=[("", "Anywhere"), ("1", "Harbor")], required=False)

    for data in (None, {"place": "1"}, {"place": "nope"}):
        for _twice in range(2):
            memo, plain = _Form(data), Plain(data)
            if data:
                memo.is_valid(), plain.is_valid()
            assert str(memo["place"]) == str(plain["place"])
    assert 'value="1" selected' in str(_Form({"place": "1"})["place"])
    invalid = _Form({"place": "nope"})
    assert not invalid.is_valid()
    assert 'aria-invalid="true"' in str(invalid["place"])
    form = _Form()
    form.fields["place"].choices = [("", "Anywhere"), ("1", "Harbor"), ("2", "Riverside")]
    assert "Riverside" in str(form["place"])


def test_memo_select_reads_a_model_fields_options_with_one_query(db, django_assert_num_queries):
    from peerportal.core.models import Location
    from tests.factories import LocationFactory

    LocationFactory(name="Harbor")

    class Form(forms.Form):
        place = forms.ModelChoiceField(Location.objects.all(), required=False, widget=MemoSelect)

    for _twice in range(2):  # a fresh render, then a remembered one: one query each
        with django_assert_num_queries(1):
            assert "Harbor" in str(Form()["place"])
