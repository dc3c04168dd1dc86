from django.contrib import admin

from .models import (
    ApprovedProvider,
    Attestation,
    Certification,
    CETopic,
    CredentialType,
    Review,
    SupervisionSession,
    TopicRequirement,
    TrainingRecord,
)


class TopicRequirementInline(admin.TabularInline):
    model = TopicRequirement
    extra = 0


class ApprovedProviderInline(admin.TabularInline):
    model = ApprovedProvider
    extra = 0


@admin.register(CredentialType)
class CredentialTypeAdmin(admin.ModelAdmin):
    """Credential rules are data: coordinators edit them here."""

    list_display = [
        "name",
        "code",
        "cycle_kind",
        "ce_hours_per_cycle",
        "grace_days",
        "requires_approved_provider",
        "attestation_required",
    ]
    inlines = [TopicRequirementInline, ApprovedProviderInline]


admin.site.register(CETopic)


@admin.register(Certification)
class CertificationAdmin(admin.ModelAdmin):
    list_display = ["id", "holder_id", "credential_type", "issued_on", "expires_on"]
    raw_id_fields = ["holder"]


@admin.register(TrainingRecord)
class TrainingRecordAdmin(admin.ModelAdmin):
    list_display = ["id", "person_id", "completed_on", "hours", "status"]
    list_filter = ["status"]
    raw_id_fields = ["person"]
    exclude = ["evidence"]  # evidence is served only through the permission-checked view


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["id", "record_id", "reviewer_id", "decision", "decided_at"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SupervisionSession)
class SupervisionSessionAdmin(admin.ModelAdmin):
    list_display = ["id", "staff_id", "supervisor_id", "date", "hours"]
    exclude = ["notes"]  # notes stay between the pair
    raw_id_fields = ["staff", "supervisor"]


@admin.register(Attestation)
class AttestationAdmin(admin.ModelAdmin):
    """Audits go through the coordinator pages (audited, notified); read-only here."""

    list_display = ["id", "certification_id", "cycle_end", "attested_at", "audit"]
    list_filter = ["audit"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
