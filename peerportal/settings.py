"""peerportal settings: one file, driven by the environment.

With no environment at all the portal runs on embedded defaults: SQLite (IMMEDIATE
transactions, busy timeout), Celery tasks run in-process, email to the console, a
file-based cache shared by local processes. ``DATABASE_URL`` switches to PostgreSQL
(psycopg 3); ``CELERY_BROKER_URL`` or ``REDIS_URL`` to a Redis broker and shared cache.

Debug is off unless ``DJANGO_DEBUG=1``, in every mode, so a newcomer sees the same friendly
error pages as a member would. On embedded defaults (no ``DATABASE_URL``) the portal is a
local run: plain HTTP unless ``SITE_URL`` is https, a random secret key kept in ``var/``,
static files served by WhiteNoise straight from the source folders. With ``DATABASE_URL``
it is a deployment: ``SECRET_KEY`` is required and HTTPS-only cookies and redirects are on.
"""

from __future__ import annotations

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("PEERPORTAL_VAR_DIR", default=str(BASE_DIR / "var")))

_env = environ.Env()


def env_bool(name: str, default: bool) -> bool:
    return _env.bool(name, default=default)


def env_int(name: str, default: int) -> int:
    return _env.int(name, default=default)


def env_str(name: str, default: str = "") -> str:
    return _env.str(name, default=default)


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    return _env.list(name, default=default or [])


def env_secret(name: str, *, required: bool, dev_default: str = "") -> str:
    """A secret from the environment; refuses to start when required and missing."""
    value = _env.str(name, default="")
    if value:
        return value
    if required:
        raise ImproperlyConfigured(
            f"{name} must be set when DATABASE_URL is set and DJANGO_DEBUG is off."
        )
    return dev_default


def local_secret_key(var_dir: Path) -> str:
    """A random key for a local run, made once and kept in ``var/`` so sessions survive restarts."""
    path = var_dir / "secret_key"
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(get_random_secret_key())
        path.chmod(0o600)
    return path.read_text().strip()


DATABASE_URL = env_str("DATABASE_URL")
# Embedded defaults (no DATABASE_URL) mean a local run on this machine; a configured
# database means a deployment.
LOCAL_RUN = not DATABASE_URL
# Debug only on request, never by default: Django's debug page lists every URL.
DEBUG = env_bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env_secret(
    "SECRET_KEY",
    required=not (DEBUG or LOCAL_RUN),
    dev_default="django-insecure-development-only-key-never-use-in-production" if DEBUG else "",
) or local_secret_key(VAR_DIR)
# Absolute links in emails (unsubscribe, calendar, account) start with this. `make run`
# serves here; a deployment sets its public https address.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# HTTPS-only cookies, redirects and HSTS: always for a deployment; for a local run only
# when SITE_URL says https.
SERVED_OVER_HTTPS = not LOCAL_RUN or SITE_URL.startswith("https://")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "csp",
    "peerportal.core",
    "peerportal.accounts",
    "peerportal.reminders",
    "peerportal.groups",
    "peerportal.certification",
    "peerportal.warmline",
    "peerportal.dropin",
    "peerportal.reports",
    "peerportal.imports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "peerportal.accounts.middleware.UserSessionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "peerportal.core.middleware.TimezoneMiddleware",
    "peerportal.accounts.middleware.UserLanguageMiddleware",
    "peerportal.accounts.middleware.SessionLifetimeMiddleware",
    "peerportal.accounts.middleware.MFARequiredMiddleware",
    "peerportal.core.middleware.NoStoreForAuthenticatedMiddleware",
]

ROOT_URLCONF = "peerportal.urls"
WSGI_APPLICATION = "peerportal.wsgi.application"
ASGI_APPLICATION = "peerportal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "peerportal.core.context_processors.portal",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------
if DATABASE_URL:
    DATABASES = {"default": _env.db_url_config(DATABASE_URL)}
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Prepared statements: a statement this connection has run five times (psycopg's
    # default threshold) is prepared on the server and not planned again. Planning, not
    # running, is most of PostgreSQL's work for a page's small reads (0.33 ms against
    # 0.05 ms for a three-table read of a person's bookings, measured on the bench data).
    # Django leaves this off for connection poolers that cannot hold prepared statements
    # (PgBouncer in transaction mode before 1.21): set DB_PREPARED_STATEMENTS=0 behind one.
    # A migration that changes a kept statement's result columns makes PostgreSQL refuse it;
    # peerportal.core.replan plans it anew.
    if env_bool("DB_PREPARED_STATEMENTS", default=True):
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=5
        )
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "peerportal.sqlite3",
            "OPTIONS": {
                # Writers take the lock when the transaction starts, so capacity
                # checks are serialised; wait rather than fail when busy.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Broker and cache -----------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
CACHE_REDIS_URL = env_str(
    "CACHE_URL", REDIS_URL or (CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else "")
)

if CACHE_REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "peerportal.core.cache.ReusingRedisCache",
            "LOCATION": CACHE_REDIS_URL,
            "KEY_PREFIX": "peerportal",
            "TIMEOUT": 300,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    # File-based so that rate limits hold across the local web and worker processes.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": VAR_DIR / "cache",
        }
    }

CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    # Embedded run mode: web, worker and beat share a folder queue; no Redis needed.
    _queue = VAR_DIR / "queue"
    _queue.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue),
        "data_folder_out": str(_queue),
        "processed_folder": str(_queue),
        "store_processed": False,
        # Exchange tables (worker remote control), kept out of the checkout too.
        "control_folder": str(VAR_DIR / "queue-control"),
    }
elif CELERY_BROKER_URL.startswith("redis"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": 3600,
        "socket_connect_timeout": 0.5,
        "socket_timeout": 2,
    }
# Publishing never holds up a web request: a short timeout, then the outbox row waits.
CELERY_BROKER_CONNECTION_TIMEOUT = 0.5
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY = False
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"

# --- Auth and accounts ----------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# Django's and allauth's backends, with a prepared read of the signed-in user
# (peerportal/accounts/backends.py).
AUTHENTICATION_BACKENDS = [
    "peerportal.accounts.backends.ModelBackend",
    "peerportal.accounts.backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "core:home"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = False
ACCOUNT_SIGNUP_FORM_CLASS = "peerportal.accounts.forms.SignupForm"
ACCOUNT_ADAPTER = "peerportal.accounts.adapters.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SERVED_OVER_HTTPS else "http"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env_str("MFA_TOTP_ISSUER", "peerportal")
# Code fields open the numeric keypad on phones (inputmode) and accept autofill.
MFA_FORMS = {
    "authenticate": "peerportal.accounts.mfa_forms.NumericAuthenticateForm",
    "reauthenticate": "peerportal.accounts.mfa_forms.NumericReauthenticateForm",
    "activate_totp": "peerportal.accounts.mfa_forms.NumericActivateTOTPForm",
}
USERSESSIONS_TRACK_ACTIVITY = True

# Roles that must have a second factor before using the portal.
MFA_REQUIRED_ROLES = ("supervisor", "coordinator")
# Staff roles are signed out after this many idle seconds.
STAFF_IDLE_TIMEOUT = env_int("STAFF_IDLE_TIMEOUT", 30 * 60)
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 60 * 60)
# However active, a session ends this long after logging in.
SESSION_ABSOLUTE_LIFETIME = env_int("SESSION_ABSOLUTE_LIFETIME", 12 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Sessions are read from the cache (Redis, or the file cache of `make run`) and written
# through to the database: every signed-in page read its session row with a query before.
# The database stays the record, so a cache flush signs nobody out. Django's cached_db,
# with a changed session written in one statement (peerportal/accounts/sessions.py).
SESSION_ENGINE = "peerportal.accounts.sessions"

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One date style on every page ("23 November 2026"); see peerportal/formats/.
FORMAT_MODULE_PATH = ["peerportal.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
# Used until the organization's own setting is saved.
DEFAULT_ORGANIZATION_TIME_ZONE = env_str("ORGANIZATION_TIME_ZONE", "America/New_York")

# --- Static and media -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"  # public media (the logo) only; private files are served by views
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(VAR_DIR / "private")))
# A deployment runs collectstatic (hashed, compressed names); a local run is served by
# WhiteNoise from the source folders, so `make run` needs no collectstatic step.
WHITENOISE_USE_FINDERS = DEBUG or LOCAL_RUN
# Public media (the logo) are served by the portal itself on a local run.
SERVE_MEDIA = env_bool("SERVE_MEDIA", default=DEBUG or LOCAL_RUN)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or LOCAL_RUN
            else "peerportal.core.staticfiles.ManifestStaticStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# --- Email ----------------------------------------------------------------------------
if env_str("EMAIL_URL"):
    globals().update(_env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# Sender of every email. Without a display name ("no-reply@example.org") the organization's
# name is shown as the sender (core.emails.sender_address); with one it is used as given.
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "no-reply@peerportal.localhost")
# Seconds an SMTP conversation may take before the send task gives up and retries.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)

# --- Reminders outbox -----------------------------------------------------------------
# A claim no sender has taken after this many seconds (its task message was lost) goes
# back to pending. Rows a sender holds are handed out again only when its lease runs out.
REMINDER_CLAIM_TIMEOUT = env_int("REMINDER_CLAIM_TIMEOUT", 600)
# Seconds a sender's hold on its batch lasts unless renewed (it renews as it goes); a dead
# worker's unsent rows are sent again after at most this long. SMTP steps time out at a
# tenth of it.
REMINDER_SEND_LEASE = env_int("REMINDER_SEND_LEASE", 300)
# At most this many claimed rows wait in the queue; a backlog waits as pending rows.
REMINDER_DISPATCH_BATCH = env_int("REMINDER_DISPATCH_BATCH", 500)
# Reminders per send task (one SMTP connection each).
REMINDER_SEND_CHUNK = env_int("REMINDER_SEND_CHUNK", 50)
REMINDER_MAX_ATTEMPTS = env_int("REMINDER_MAX_ATTEMPTS", 5)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- UI -------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# --- Privacy --------------------------------------------------------------------------
# Aggregates below this are shown as "<N" so that small groups cannot be re-identified.
REPORT_SUPPRESSION_THRESHOLD = env_int("REPORT_SUPPRESSION_THRESHOLD", 5)
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 6 * 365)

# --- Security -------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG and SERVED_OVER_HTTPS:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    if env_bool("TRUST_X_FORWARDED_PROTO", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SILENCED_SYSTEM_CHECKS: list[str] = []

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Logging: ids only, never names, emails or notes ----------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
