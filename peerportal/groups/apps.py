from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GroupsConfig(AppConfig):
    name = "peerportal.groups"
    label = "groups"
    verbose_name = _("Support groups")

    def ready(self) -> None:
        from peerportal.accounts.userdata import USER_DATA, UserDataPolicy, register_erasure_handler
        from peerportal.core.navigation import register_nav, register_panel
        from peerportal.reminders.registry import register_kind

        from . import notifications, panels, services, standing, waitlist

        register_nav(
            _("Support groups"),
            "groups:group-list",
            None,
            order=10,
            menu="groups",
            description=_(
                "Peer-led groups in person and online. Book a place; nobody else sees who attends."
            ),
        )
        register_nav(_("My bookings"), "groups:booking-list", "member", order=20, menu="groups")
        register_nav(_("Facilitating"), "groups:session-list", "staff", order=200, menu="groups")
        register_nav(
            _("Manage groups"), "groups:group-manage-list", "coordinator", order=700, menu="groups"
        )
        register_nav(
            _("Group reports"), "reports:groups:overview", "coordinator", order=790, menu="groups"
        )
        register_panel(
            "groups/panel_my_bookings.html", "member", order=10, context=panels.my_bookings
        )
        register_panel(
            "groups/panel_facilitating.html", "staff", order=20, context=panels.facilitating
        )

        register_kind(
            services.KIND_UPCOMING,
            label=_("Before a group session you booked"),
            default_offsets=[timedelta(hours=24), timedelta(hours=2)],
            context=notifications.session_upcoming_context,
        )
        register_kind(
            services.KIND_CONFIRMED,
            label=_("Booking confirmations"),
            optional=False,
            context=notifications.booking_confirmed_context,
        )
        register_kind(
            services.KIND_PROMOTED,
            label=_("A place opened up for you"),
            urgent=True,
            optional=False,
            context=notifications.waitlist_promoted_context,
        )
        register_kind(
            services.KIND_SESSION_CANCELLED,
            label=_("A session you booked is cancelled"),
            urgent=True,
            optional=False,
            context=notifications.session_cancelled_context,
        )
        register_kind(
            services.KIND_SESSION_MOVED,
            label=_("A session you booked has moved"),
            urgent=True,
            optional=False,
            context=notifications.session_moved_context,
        )

        register_kind(
            waitlist.KIND_OFFER,
            label=_("A place is offered to you from the waitlist"),
            urgent=True,
            optional=False,
            context=notifications.waitlist_offer_context,
        )
        register_kind(
            standing.KIND_STANDING_CHECK,
            label=_("Keep your standing place?"),
            urgent=False,
            optional=False,
            context=notifications.standing_place_check_context,
        )
        register_kind(
            waitlist.KIND_CANCELLED,
            label=_("You cancelled a booking"),
            optional=False,
            context=notifications.booking_cancelled_context,
        )

        # Bookings stay (pseudonymised with the account) so attendance counts survive;
        # future ones are cancelled first so their seats go to the waitlist.
        USER_DATA.setdefault("groups.booking", UserDataPolicy("keep"))
        # Facilitator links are removed on erasure.
        USER_DATA.setdefault("groups.supportgroup", UserDataPolicy("keep"))
        register_erasure_handler(services.bookings_cancel_for_erased_user)
        USER_DATA.setdefault("groups.standingplace", UserDataPolicy("keep"))
        register_erasure_handler(standing.standing_places_end_for_erased_user)
