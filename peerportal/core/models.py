"""Organization settings, locations with opening hours, and the append-only audit log."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from peerportal.accounts.models import validate_time_zone

# Marked for translation where it is shown (Organization.localized_crisis_resources).
DEFAULT_CRISIS_RESOURCES = gettext_noop(
    "If you are in crisis or thinking about suicide, call or text 988 "
    "(988 Suicide & Crisis Lifeline, US) any time, or chat at 988lifeline.org. "
    "In an emergency, call 911."
)

# Likewise (Organization.localized_warm_line_notice).
DEFAULT_WARM_LINE_NOTICE = gettext_noop(
    "The warm line is a peer support line, not a crisis service. "
    "If you are in crisis, call or text 988 or call 911."
)

ORGANIZATION_CACHE_KEY = "core:organization:v1"

# Within one request the organization is read from the shared cache once (the time-zone
# middleware, the context processor and selectors all ask for it).
_request_organization: ContextVar[list | None] = ContextVar("request_organization", default=None)


@contextmanager
def organization_per_request():
    """Remember ``Organization.get()`` until the block ends (one request)."""
    token = _request_organization.set([])
    try:
        yield
    finally:
        _request_organization.reset(token)


class Organization(models.Model):
    """The one organization this deployment belongs to (a singleton, pk=1)."""

    name = models.CharField(_("name"), max_length=120, default="Peer Support Collective")
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        validators=[validate_time_zone],
        default=settings.DEFAULT_ORGANIZATION_TIME_ZONE,
    )
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    crisis_resources = models.TextField(
        _("crisis resources"),
        default=DEFAULT_CRISIS_RESOURCES,
        help_text=_("Shown in the footer of every page."),
    )
    crisis_resources_es = models.TextField(
        _("crisis resources in Spanish"),
        blank=True,
        max_length=2000,
        help_text=_(
            "Shown instead on Spanish pages and in Spanish emails. Leave empty to use the "
            "Spanish translation of the default text (or the text above when you changed it)."
        ),
    )
    warm_line_notice = models.TextField(
        _("warm-line notice"),
        default=DEFAULT_WARM_LINE_NOTICE,
        help_text=_("Shown on every warm-line page."),
    )
    logo = models.ImageField(_("logo"), upload_to="branding/", blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("organization settings")
        verbose_name_plural = _("organization settings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pk=1),
                name="core_organization_singleton",
                violation_error_message=_("There is only one organization."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.pk = 1
        super().save(*args, **kwargs)
        cache.delete(ORGANIZATION_CACHE_KEY)
        memo = _request_organization.get()
        if memo is not None:
            memo.clear()

    @classmethod
    def get(cls) -> Organization:
        memo = _request_organization.get()
        if memo:
            return memo[0]
        org = cache.get(ORGANIZATION_CACHE_KEY)
        if org is None:
            org, _created = cls.objects.get_or_create(pk=1)
            cache.set(ORGANIZATION_CACHE_KEY, org, 300)
        if memo is not None:
            memo.append(org)
        return org

    @property
    def localized_crisis_resources(self) -> str:
        """The crisis text in the active language: the Spanish field on Spanish pages, else
        the default text translated, else the organization's own text as written."""
        language = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
        if language == "es" and self.crisis_resources_es.strip():
            return self.crisis_resources_es
        if " ".join(self.crisis_resources.split()) == DEFAULT_CRISIS_RESOURCES:
            return translation.gettext(DEFAULT_CRISIS_RESOURCES)
        return self.crisis_resources

    @property
    def localized_warm_line_notice(self) -> str:
        """The warm-line notice in the active language when it is the default text; the
        organization's own text as written otherwise."""
        if " ".join(self.warm_line_notice.split()) == DEFAULT_WARM_LINE_NOTICE:
            return translation.gettext(DEFAULT_WARM_LINE_NOTICE)
        return self.warm_line_notice

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class LocationKind(models.TextChoices):
    DROP_IN_CENTER = "drop_in", _("Drop-in center")
    MEETING_PLACE = "meeting", _("Meeting place")
    OFFICE = "office", _("Office")


class LocationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Location(models.Model):
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(
        _("kind"), max_length=20, choices=LocationKind.choices, default=LocationKind.DROP_IN_CENTER
    )
    address = models.CharField(_("street address"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=80, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    accessibility_notes = models.TextField(
        _("accessibility notes"),
        blank=True,
        help_text=_("Step-free access, quiet room, parking, transit…"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = LocationQuerySet.as_manager()

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["name"],
                name="core_location_name_unique",
                violation_error_message=_("A location with this name already exists."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def is_open_at(self, when: dt.datetime, hours: list[OpeningHours] | None = None) -> bool:
        """Whether the location is open at ``when``, judged in the organization's time zone."""
        local = timezone.localtime(when, Organization.get().tzinfo)
        rows = hours if hours is not None else list(self.opening_hours.all())
        for row in rows:
            if row.weekday == local.weekday() and row.opens <= local.time() < row.closes:
                return True
        return False


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class OpeningHours(models.Model):
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")),
                name="core_hours_close_after_open",
                violation_error_message=_("Closing time must be after opening time."),
            ),
            models.CheckConstraint(
                condition=models.Q(weekday__gte=0, weekday__lte=6),
                name="core_hours_weekday_range",
                violation_error_message=_("Choose a day of the week."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def clean(self) -> None:
        if self.opens and self.closes and self.closes <= self.opens:
            raise ValidationError({"closes": _("Closing time must be after opening time.")})


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The audit log is append-only.")

    def delete(self):
        raise PermissionError("The audit log is append-only; use purge_older_than for retention.")

    def purge_older_than(self, days: int) -> int:
        """Retention: the only way rows leave the audit log."""
        cutoff = timezone.now() - dt.timedelta(days=days)
        old = models.QuerySet(model=self.model, using=self.db).filter(at__lt=cutoff)
        return old._raw_delete(old.db)


class AuditEvent(models.Model):
    """Who did what to which object, when, from where. Ids only — never names or notes."""

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("actor"),
    )
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    extra = models.JSONField(_("details"), default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise PermissionError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events cannot be deleted.")
