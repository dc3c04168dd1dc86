"""Issue #16 in a real browser: waitlist offers, the place in line, standing places, and the
coordinator's view. The clock starts at a chosen instant (Monday 2 March 2026, 12:00 New York
time) and ticks, so the live server and the data agree."""

from __future__ import annotations

import datetime as dt
import time

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value

from tests.e2e.conftest import check_page, log_in
from tests.factories import TEST_PASSWORD, CoordinatorFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
NOW = dt.datetime(2026, 3, 2, 17, 0, tzinfo=dt.UTC)
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


def test_member_sees_their_place_in_line_then_takes_an_offered_seat(clock, page, live_server):
    from peerportal.groups import services, waitlist
    from peerportal.groups.models import WaitlistOffer
    from tests.groups.factories import GroupSessionFactory

    session = GroupSessionFactory(
        group__name="Evening Peer Circle",
        group__capacity=1,
        group__cancellation_cutoff_hours=0,
        starts_at=NOW + dt.timedelta(hours=5),
    )
    holder = services.booking_create(session=session, member=UserFactory(display_name="Holder"))
    first = services.booking_create(session=session, member=UserFactory(display_name="First"))
    member = UserFactory(display_name="Wren")
    services.booking_create(session=session, member=member)

    log_in(page, member.email, TEST_PASSWORD)
    page.goto(f"/groups/{session.group_id}/")
    page.get_by_text("You're number 2 in line").wait_for()
    assert "join the waitlist" not in page.content()
    assert "Holder" not in page.content() and "First" not in page.content()
    check_page(page, "group-page-place-in-line")

    services.booking_cancel(booking=holder, actor=holder.member)  # inside the offer window
    offer = WaitlistOffer.objects.get()
    assert offer.booking == first
    # The first person lets it go from the email link (no sign-in needed).
    other = page.context.browser.new_context(base_url=live_server.url)
    link_page = other.new_page()
    link_page.goto(f"/groups/offers/answer/{waitlist.offer_token(offer)}/")
    check_page(link_page, "offer-answer-link")
    link_page.get_by_role("button", name="I can't come — offer it to someone else").click()
    link_page.get_by_text("The place goes to the next person").wait_for()
    other.close()

    page.goto("/groups/bookings/")
    page.get_by_text("A place is held for you").wait_for()
    check_page(page, "my-bookings-offer")
    page.get_by_role("button", name="Take the place").click()
    page.get_by_text("The place is yours").wait_for()
    assert page.get_by_role("cell", name="Booked").count() == 1


def test_member_takes_a_standing_place_skips_a_date_and_pauses(clock, page, live_server):
    from peerportal.groups import services
    from peerportal.groups.models import Booking, BookingStatus
    from tests.groups.factories import SupportGroupFactory

    group = SupportGroupFactory(
        name="Tuesday Peer Circle",
        capacity=3,
        horizon_weeks=8,
        standing_places_allowed=True,
        booking_opens_days=60,
    )
    services.group_sessions_generate(group=group)
    member = UserFactory(display_name="Wren")
    log_in(page, member.email, TEST_PASSWORD)
    page.goto(f"/groups/{group.pk}/")
    check_page(page, "group-page-standing-offer")
    page.get_by_label("How often").select_option("weekly")
    page.get_by_role("button", name="Take a standing place").click()
    page.get_by_text("You hold a standing place").first.wait_for()
    assert page.get_by_text("Seat held").count() == 8
    check_page(page, "my-standing-places")

    page.get_by_label("Pause from").fill("2026-03-31")
    page.get_by_label("until").fill("2026-04-07")
    page.get_by_role("button", name="Pause", exact=True).click()
    page.get_by_text("paused for those dates").wait_for()
    assert page.get_by_text("Seat held").count() == 6

    page.goto("/groups/bookings/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Skip this date").first.click()
    page.get_by_text("Your booking was cancelled").wait_for()
    check_page(page, "my-bookings-standing")
    held = Booking.objects.filter(member=member, status=BookingStatus.CONFIRMED).count()
    assert held == 5


def test_coordinator_sets_places_and_sees_who_is_coming(clock, page, live_server):
    from peerportal.groups import services, standing
    from tests.groups.factories import SupportGroupFactory

    group = SupportGroupFactory(name="Tuesday Peer Circle", horizon_weeks=4, booking_opens_days=60)
    services.group_sessions_generate(group=group)
    coordinator = CoordinatorFactory()
    TOTP.activate(coordinator, SECRET)
    log_in(page, coordinator.email, TEST_PASSWORD)
    page.locator("#id_code").fill(format_hotp_value(hotp_value(SECRET, int(time.time()) // 30)))
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_load_state()

    page.goto(f"/groups/manage/{group.pk}/places/")
    check_page(page, "group-places-settings")
    page.get_by_label("Standing places allowed").check()
    page.get_by_label("Offer valid for (minutes)").fill("5")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("greater than or equal to 15").wait_for()
    page.get_by_label("Offer valid for (minutes)").fill("90")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Place settings saved").wait_for()
    group.refresh_from_db()
    assert group.standing_places_allowed and group.offer_lifetime_minutes == 90

    standing.standing_place_join(group=group, member=UserFactory(), cadence="weekly")
    services.booking_create(session=group.sessions.first(), member=UserFactory())
    page.goto(f"/groups/manage/{group.pk}/sessions/")
    check_page(page, "group-who-is-coming")
    page.goto("/reports/groups/")
    page.get_by_role("heading", name="Standing places").wait_for()
