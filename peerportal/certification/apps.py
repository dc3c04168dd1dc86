from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificationConfig(AppConfig):
    name = "peerportal.certification"
    label = "certification"
    verbose_name = _("Certification")

    def ready(self) -> None:
        from peerportal.accounts.userdata import USER_DATA, UserDataPolicy
        from peerportal.core.navigation import register_nav, register_panel
        from peerportal.reminders.registry import AUDIENCE_STAFF, register_kind

        from . import notifications, panels, services

        register_nav(
            _("My training"), "certification:progress", "staff", order=250, menu="training"
        )
        register_nav(
            _("Trainings"), "certification:training-list", "staff", order=255, menu="training"
        )
        register_nav(
            _("Reviews"), "certification:review-queue", "supervisor", order=400, menu="training"
        )
        register_nav(_("My team"), "certification:team", "supervisor", order=410, menu="training")
        register_panel(
            "certification/panel_progress.html", "staff", order=40, context=panels.my_progress
        )
        register_panel(
            "certification/panel_reviews.html",
            "supervisor",
            order=30,
            context=panels.pending_reviews,
        )

        register_kind(
            services.KIND_EXPIRING,
            audience=AUDIENCE_STAFF,
            label=_("Before a credential expires"),
            default_offsets=[
                timedelta(days=90),
                timedelta(days=60),
                timedelta(days=30),
                timedelta(days=7),
            ],
            context=notifications.credential_expiring_context,
        )
        register_kind(
            services.KIND_DECIDED,
            audience=AUDIENCE_STAFF,
            label=_("A training record was reviewed"),
            optional=False,
            context=notifications.training_reviewed_context,
        )
        register_kind(
            services.KIND_DIGEST,
            audience=AUDIENCE_STAFF,
            label=_("Weekly list of records waiting for your review"),
            context=notifications.review_digest_context,
        )
        register_kind(
            services.KIND_AUDIT,
            audience=AUDIENCE_STAFF,
            label=_("Audit of a credential attestation"),
            optional=False,
            context=notifications.credential_audit_context,
        )
        register_nav(
            _("Audits"), "certification:attestation-list", "coordinator", order=420, menu="training"
        )
        # Training history is the person's own record: kept on erasure only as counts would
        # be meaningless — it is deleted, with evidence files and supervision notes.
        USER_DATA.setdefault("certification.certification", UserDataPolicy("delete"))
        USER_DATA.setdefault("certification.trainingrecord", UserDataPolicy("delete"))
        USER_DATA.setdefault("certification.review", UserDataPolicy("keep", scrub=("comment",)))
        USER_DATA.setdefault("certification.supervisionsession", UserDataPolicy("delete"))
        # Trainings are the organization's (kept; the facilitator pseudonymised on erasure);
        # a place on a roster is the person's (deleted). Credits are kept, pointing at the
        # pseudonymised person: "delete" would also remove the credits an erased facilitator
        # approved for everyone else. The person's records themselves are deleted (above).
        USER_DATA.setdefault("certification.trainingevent", UserDataPolicy("keep"))
        USER_DATA.setdefault("certification.trainingattendee", UserDataPolicy("delete"))
        USER_DATA.setdefault("certification.trainingcredit", UserDataPolicy("keep"))
