"""The portal's user: email login, a display name that may be a pseudonym, a role."""

from __future__ import annotations

import functools
import secrets
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    MEMBER = "member", _("Member")
    PEER_SPECIALIST = "peer_specialist", _("Peer specialist")
    SUPERVISOR = "supervisor", _("Supervisor")
    COORDINATOR = "coordinator", _("Coordinator")


STAFF_ROLES = (Role.PEER_SPECIALIST, Role.SUPERVISOR, Role.COORDINATOR)


@functools.cache
def known_time_zones() -> frozenset[str]:
    """The IANA names on this system (read once: listing them scans the tz database)."""
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value and value not in known_time_zones():
        raise ValidationError(_("“%(value)s” is not a known time zone."), params={"value": value})


class UserQuerySet(models.QuerySet):
    def staff(self):
        return self.filter(role__in=STAFF_ROLES, is_active=True)

    def supervisors(self):
        return self.filter(role__in=(Role.SUPERVISOR, Role.COORDINATOR), is_active=True)


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        email = self.normalize_email(email)
        user = self.model(email=email, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("role", Role.COORDINATOR)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, email: str):
        return self.get(email__iexact=email)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("email address"), max_length=254, unique=True)
    display_name = models.CharField(
        _("display name"),
        max_length=80,
        help_text=_("How others in the portal see you. A first name or a pseudonym is fine."),
    )
    pronouns = models.CharField(_("pronouns"), max_length=40, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text=_("Leave empty to use the organization's time zone."),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    supervisor = models.ForeignKey(
        "self",
        verbose_name=_("supervisor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supervisees",
        limit_choices_to={"role__in": (Role.SUPERVISOR, Role.COORDINATOR)},
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("admin site access"),
        default=False,
        help_text=_("May log in to the Django admin (through the portal login with MFA)."),
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["display_name", "id"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="accounts_user_email_ci_unique",
                violation_error_message=_("An account with this email address already exists."),
            ),
            models.CheckConstraint(
                condition=~models.Q(supervisor=models.F("id")),
                name="accounts_user_not_own_supervisor",
                violation_error_message=_("Nobody can supervise themselves."),
            ),
        ]

    def __str__(self) -> str:
        # Deliberately the display name, never the email: str() ends up in templates.
        return self.display_name or _("User %(id)s") % {"id": self.pk}

    def clean(self) -> None:
        super().clean()
        self.email = type(self).objects.normalize_email(self.email)
        if self.supervisor_id and self.supervisor_id == self.pk:
            raise ValidationError({"supervisor": _("Nobody can supervise themselves.")})
        if (
            self.supervisor_id
            and self.supervisor
            and self.supervisor.role
            not in (
                Role.SUPERVISOR,
                Role.COORDINATOR,
            )
        ):
            raise ValidationError(
                {"supervisor": _("The supervisor must have the supervisor or coordinator role.")}
            )

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name

    @property
    def is_member(self) -> bool:
        return self.role == Role.MEMBER

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_supervisor(self) -> bool:
        return self.role in (Role.SUPERVISOR, Role.COORDINATOR)

    @property
    def is_coordinator(self) -> bool:
        return self.role == Role.COORDINATOR


def _new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class FeedToken(models.Model):
    """The secret in a person's iCal feed URLs; revoking replaces it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_token"
    )
    token = models.CharField(max_length=64, unique=True, default=_new_feed_token)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed token")

    def __str__(self) -> str:
        return _("Calendar feed of user %(id)s") % {"id": self.user_id}
