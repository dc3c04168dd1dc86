"""The visit counter: one tap per visitor, anonymous categories, undo, no identities."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from peerportal.dropin import selectors, services
from peerportal.dropin.exceptions import UndoExpired
from peerportal.dropin.models import VisitTally

from .factories import VisitCategoryFactory

pytestmark = pytest.mark.django_db


def test_taps_add_up_per_day_and_category(location):
    first = VisitCategoryFactory(name="First visit")
    for _ in range(3):
        services.visit_tap(location=location)
    services.visit_tap(location=location, category=first)
    today = selectors.local_today()
    totals = selectors.visit_totals_for_day(location, today)
    assert totals["total"] == 4
    assert dict(totals["by_category"]) == {None: 3, first: 1}
    assert VisitTally.objects.filter(location=location, date=today).count() == 2


def test_tally_rows_hold_no_identity_or_time_of_day():
    names = {f.name for f in VisitTally._meta.get_fields()}
    assert names == {"id", "location", "date", "category", "count"}


def test_tally_date_is_the_organizations_local_date(location, new_york):
    # 02:30 UTC on 23 November is still 22 November in New York.
    late = dt.datetime(2026, 11, 23, 2, 30, tzinfo=dt.UTC)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(timezone, "now", lambda: late)
        tally = services.visit_tap(location=location)
    assert tally.date == dt.date(2026, 11, 22)


def test_undo_takes_back_one_recent_tap(location):
    tally = services.visit_tap(location=location)
    services.visit_tap(location=location)
    services.visit_undo(tally_id=tally.pk, tapped_at=timezone.now(), location=location)
    tally.refresh_from_db()
    assert tally.count == 1


def test_undo_after_the_window_is_refused(location):
    tally = services.visit_tap(location=location)
    with pytest.raises(UndoExpired):
        services.visit_undo(
            tally_id=tally.pk,
            tapped_at=timezone.now() - services.UNDO_WINDOW - dt.timedelta(seconds=1),
            location=location,
        )
    tally.refresh_from_db()
    assert tally.count == 1


def test_undo_never_goes_below_zero(location):
    tally = services.visit_tap(location=location)
    services.visit_undo(tally_id=tally.pk, tapped_at=timezone.now(), location=location)
    with pytest.raises(UndoExpired):
        services.visit_undo(tally_id=tally.pk, tapped_at=timezone.now(), location=location)


def test_staff_tap_with_htmx_returns_the_panel(staff_client, location):
    category = VisitCategoryFactory(name="Returning")
    url = reverse("dropin:tally-tap", args=[location.pk])
    response = staff_client.post(url, {"category": category.pk}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="tally-panel"' in html and "<html" not in html
    assert "1 visit today" in html and "Undo last tap" in html


def test_staff_tap_with_plain_post_redirects_to_the_counter(staff_client, location):
    response = staff_client.post(reverse("dropin:tally-tap", args=[location.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("dropin:tally-counter", args=[location.pk])
    page = staff_client.get(response["Location"]).content.decode()
    assert "1 visit today" in page


def test_undo_button_takes_back_the_last_tap_once(staff_client, location):
    staff_client.post(reverse("dropin:tally-tap", args=[location.pk]))
    staff_client.post(reverse("dropin:tally-tap", args=[location.pk]))
    undo = reverse("dropin:tally-undo", args=[location.pk])
    response = staff_client.post(undo, HTTP_HX_REQUEST="true")
    assert "The last tap was undone." in response.content.decode()
    response = staff_client.post(undo, HTTP_HX_REQUEST="true")
    assert "There is no recent tap to undo." in response.content.decode()
    assert selectors.visit_totals_for_day(location, selectors.local_today())["total"] == 1


def test_undo_is_per_location(staff_client, location):
    from tests.factories import LocationFactory

    other = LocationFactory()
    staff_client.post(reverse("dropin:tally-tap", args=[location.pk]))
    staff_client.post(reverse("dropin:tally-undo", args=[other.pk]))
    assert selectors.visit_totals_for_day(location, selectors.local_today())["total"] == 1


def test_tap_with_a_bad_category_changes_nothing(staff_client, location):
    url = reverse("dropin:tally-tap", args=[location.pk])
    assert staff_client.post(url, {"category": "abc"}).status_code == 400
    assert staff_client.post(url, {"category": "987654"}).status_code == 404
    assert not VisitTally.objects.exists()


def test_members_cannot_count_visits(member_client, location):
    assert member_client.post(reverse("dropin:tally-tap", args=[location.pk])).status_code == 403
    assert not VisitTally.objects.exists()
