"""Volunteer Net settings: one module, configured only through environment variables.

Every reader below has a safe default for the embedded setup (`make run`: SQLite, console
e-mail, no Redis). Production sets DEBUG off and must then provide SECRET_KEY explicitly.
"""

from __future__ import annotations

import base64
import hashlib
import os
import tempfile
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
import xstatic.pkg.leaflet_markercluster
from corsheaders.defaults import default_headers as cors_default_headers
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

# pytest (8.2+) exports PYTEST_VERSION for the whole session; tests always run on PostgreSQL.
TESTING = "PYTEST_VERSION" in os.environ


def env_str(name: str, default: str = "") -> str:
    # An empty variable counts as unset, as compose files and shells often leave them empty.
    return os.environ.get(name) or default


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


def env_rate(name: str, default: str) -> str:
    """A rate as DRF writes them, "count/period" with the period s, m, h or d (or min, hour, day)."""
    value = env_str(name, default)
    count, _slash, period = value.partition("/")
    if not (count.isdigit() and period in {"s", "sec", "m", "min", "h", "hour", "d", "day"}):
        raise ImproperlyConfigured(f"{name} must be a rate such as 20/h, got {value!r}")
    return value


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if DEBUG or TESTING:
        # Only for local development and the test suite; never used with DEBUG off.
        SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off. "
            "Set the SECRET_KEY environment variable (see .env.example)."
        )


def _dev_key(purpose: str) -> str:
    """A key derived from the development SECRET_KEY; production sets its own (see below)."""
    return base64.urlsafe_b64encode(hashlib.sha256(f"{purpose}:{SECRET_KEY}".encode()).digest()).decode()


# The IIN at rest (volunteers/crypto.py): Fernet keys, the first current (rotation: put a new key
# first, run `manage.py rotate_iin_key`, drop the old), and the HMAC key of its lookup hash. Kept
# apart from SECRET_KEY: rotating that must not make every IIN unreadable. With DEBUG off both
# must be set (system check volunteer_net.E002).
IIN_ENCRYPTION_KEYS = env_list("IIN_ENCRYPTION_KEYS") or (
    [_dev_key("iin-encryption")] if DEBUG or TESTING else []
)
IIN_HASH_KEY = env_str("IIN_HASH_KEY") or (_dev_key("iin-hash") if DEBUG or TESTING else "")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG or TESTING else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Other sites whose pages may call the API from the browser (an akimat's site showing the map of
# campaigns, say), as https://host origins; none by default. Only /api/, and without cookies:
# such a page reads the public endpoints or sends its own API token, never a visitor's session
# (so no CSRF exposure). Retry-After is readable, for a client that backs off on a 429 or 503;
# so is the map layers' ETag, which such a page sends back in If-None-Match (allowed here, as it
# is no header a browser lets through a preflight by itself) to get a 304.
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS")
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_CREDENTIALS = False
CORS_EXPOSE_HEADERS = ["Retry-After", "ETag"]
CORS_ALLOW_HEADERS = (*cors_default_headers, "if-none-match")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # The simple admin config skips autodiscovery: django-leaflet's admin module imports GeoDjango,
    # which needs the GDAL library. Each app registers its admin in AppConfig.ready() instead.
    "volunteer_net.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "corsheaders",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "leaflet",
    "axes",
    "volunteer_net",
    # Ours, from the ground floor up: a lower app never imports a higher one.
    "accounts",
    "regions",
    "volunteers",
    "detachments",
    "front_offices",
    "notifications",
    "events",
    "care",
    "reports",
]

MIDDLEWARE = [
    # First: every log line of the request, the error pages' included, carries its id.
    "volunteer_net.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response (CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    # Permissions-Policy on every response (PERMISSIONS_POLICY below).
    "volunteer_net.middleware.PermissionsPolicyMiddleware",
    # Before CommonMiddleware, as django-cors-headers asks: a preflight is answered here.
    "corsheaders.middleware.CorsMiddleware",
    "volunteer_net.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "volunteer_net.middleware.QueryLanguageMiddleware",
    # Django's, with a POST to an address without its trailing slash redirected by a 308 that
    # keeps the method and body, not a 301 that clients follow with a GET.
    "volunteer_net.middleware.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "volunteer_net.middleware.RefuseNulMiddleware",
    # Last, as django-axes asks: it turns a lockout flagged during authentication into the page.
    "axes.middleware.AxesMiddleware",
]

if not (DEBUG or TESTING):
    # Production serves collected, hashed static files itself; development uses runserver's.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
        "whitenoise.middleware.WhiteNoiseMiddleware",
    )

# Django's database sessions, with a session cookie holding a NUL byte read as none.
SESSION_ENGINE = "volunteer_net.sessions"

ROOT_URLCONF = "volunteer_net.urls"
WSGI_APPLICATION = "volunteer_net.wsgi.application"
ASGI_APPLICATION = "volunteer_net.asgi.application"

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
                "volunteer_net.context_processors.roles",
            ],
            # {% form_once_key %} in every create form, without a {% load %} in each.
            "builtins": ["volunteer_net.templatetags.form_once"],
        },
    },
]

# Database: DATABASE_URL, else an SQLite file in the project (the embedded default).
# The test suite runs on PostgreSQL, the production database, with its own test database.
_default_db = (
    "postgres://postgres@127.0.0.1:5432/volunteer_net" if TESTING else f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
)
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", _default_db),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite ignores select_for_update(), and a DEFERRED transaction that read first and then
    # writes is refused at once ("database is locked", a 500) when another one writes: two clicks
    # on "Sign up" did that. IMMEDIATE takes the write lock at BEGIN, so a second writer waits
    # its turn (up to `timeout` seconds) and then sees the first one's row.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not env_bool("DB_JIT", False):
    # PostgreSQL compiles a query to machine code when its *estimated* cost is high, which the
    # dashboards' correlated counts are: ~30 ms of compiling for a query that then runs in 20.
    # Our queries are short and many; JIT is off for this app's connections unless DB_JIT=true.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# ModelBackend that reads the scopes (regions, offices, curated detachments) with the user; the
# backend the session names when our own views log someone in (a link that proved the address).
LOGIN_BACKEND = "regions.auth.ScopedModelBackend"
AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out account or address is refused before its password is checked.
    "axes.backends.AxesStandaloneBackend",
    LOGIN_BACKEND,
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    # Hashing strength is irrelevant in tests and PBKDF2 would dominate their run time.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "login"
# Each role lands where its work is (volunteer_net.views.start); a `next` parameter still wins.
LOGIN_REDIRECT_URL = "start"
LOGOUT_REDIRECT_URL = "home"

# Languages: Kazakh, Russian, English. Django's own Kazakh catalogue is incomplete, so
# locale_django/ fills the core strings users meet; locale/ holds the project's own.
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "kk")
LANGUAGES = [
    ("kk", "Қазақша"),
    ("ru", "Русский"),
    ("en", "English"),
]
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_django"]
FORMAT_MODULE_PATH = ["volunteer_net.formats"]
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
USE_I18N = True

# All of Kazakhstan is on UTC+5 since 1 March 2024; tzdata is pinned in requirements.txt.
TIME_ZONE = "Asia/Almaty"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT")) if env_str("STATIC_ROOT") else BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Leaflet.markercluster for the map, from its PyPI package (XStatic-Leaflet-MarkerCluster).
    ("leaflet-markercluster", xstatic.pkg.leaflet_markercluster.BASE_DIR),
]
# Hashed, compressed names (collectstatic) in production. STATIC_MANIFEST=false serves files by
# their plain names straight from the apps (WhiteNoise's finders): for production-settings
# processes started by the test suite, which would otherwise spend a minute collecting.
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", not (DEBUG or TESTING))
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "volunteer_net.storage.StaticStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# E-mail: the console only in development and tests. Mails carry password-reset and activation
# links, which must not end up in a production log: with DEBUG off EMAIL_BACKEND must be set,
# and the system check volunteer_net.E001 stops `check`, `migrate` and `check --deploy` if not.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend" if DEBUG or TESTING else ""
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Volunteer Net <noreply@volunteer.kz>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# A mail server that hangs must not hold a batch of messages for long (well under the
# reclaim timeout below).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)

# Notifications (notifications/): reminders and messages, sent once each by a periodic sweep.
SMS_BACKEND = env_str("SMS_BACKEND", "notifications.sms.ConsoleSmsBackend")
NOTIFICATIONS_SWEEP_INTERVAL = env_int("NOTIFICATIONS_SWEEP_INTERVAL", 60)
NOTIFICATIONS_SWEEP_MAX_SECONDS = env_int("NOTIFICATIONS_SWEEP_MAX_SECONDS", 50)
NOTIFICATIONS_BATCH_SIZE = env_int("NOTIFICATIONS_BATCH_SIZE", 500)
# Days a sent, failed, expired or cancelled message is kept (its address and text with it).
NOTIFICATIONS_RETENTION_DAYS = env_int("NOTIFICATIONS_RETENTION_DAYS", 365)
NOTIFICATIONS_MAX_ATTEMPTS = env_int("NOTIFICATIONS_MAX_ATTEMPTS", 5)
NOTIFICATIONS_RETRY_BASE_SECONDS = env_int("NOTIFICATIONS_RETRY_BASE_SECONDS", 60)
# A message 'sending' for longer than this was left by a dead worker and is sent again.
NOTIFICATIONS_SENDING_TIMEOUT = env_int("NOTIFICATIONS_SENDING_TIMEOUT", 600)
# `make run` (no Redis, no beat): the development server sweeps in a thread of its own.
NOTIFICATIONS_IN_PROCESS_SWEEPER = env_bool("NOTIFICATIONS_IN_PROCESS_SWEEPER", False)

# Shift reminders go out this many hours before the start: the first as the "a day before"
# reminder, the second as the "two hours before" one (comma-separated, e.g. "24,2").
SHIFT_REMINDER_HOURS = tuple(int(h) for h in env_list("SHIFT_REMINDER_HOURS", "24,2"))
if len(SHIFT_REMINDER_HOURS) != 2 or min(SHIFT_REMINDER_HOURS) < 0:
    raise ImproperlyConfigured("SHIFT_REMINDER_HOURS must be two whole numbers of hours, e.g. 24,2.")

# Front offices (front_offices/): visits may be booked this many days ahead, a person may hold
# this many future visits at once, and reminders go out these hours before a visit ("24,1").
FRONT_OFFICE_BOOKING_HORIZON_DAYS = env_int("FRONT_OFFICE_BOOKING_HORIZON_DAYS", 60)
FRONT_OFFICE_MAX_FUTURE_VISITS = env_int("FRONT_OFFICE_MAX_FUTURE_VISITS", 3)
VISIT_REMINDER_HOURS = tuple(int(h) for h in env_list("VISIT_REMINDER_HOURS", "24,1"))
if len(VISIT_REMINDER_HOURS) != 2 or min(VISIT_REMINDER_HOURS) < 0:
    raise ImproperlyConfigured("VISIT_REMINDER_HOURS must be two whole numbers of hours, e.g. 24,1.")
# Targeted help (care/). The assigned volunteer sees a beneficiary's address and phone while
# assigned and for this many days after the request is done.
CARE_CONTACT_DAYS_AFTER_DONE = env_int("CARE_CONTACT_DAYS_AFTER_DONE", 7)
# A beneficiary's personal data is erased this many days after their last request closed.
CARE_RETENTION_DAYS = env_int("CARE_RETENTION_DAYS", 365)
# On the map, everybody but those assigned sees a request at the centre of a grid cell of this
# many degrees (0.05° is about 5.5 km north-south): the locality, never the house.
CARE_MAP_SNAP_DEGREES = float(env_str("CARE_MAP_SNAP_DEGREES", "0.05"))
if not 0.01 <= CARE_MAP_SNAP_DEGREES <= 1:
    raise ImproperlyConfigured("CARE_MAP_SNAP_DEGREES must be between 0.01 and 1.")
# The volunteer's reminder goes out this many hours before the request's window opens.
CARE_REMINDER_HOURS = env_int("CARE_REMINDER_HOURS", 24)
# Reports (reports/): exports up to this many rows stream straight back; larger ones are built by
# a Celery worker into REPORTS_EXPORT_DIR (shared by web and worker processes), downloadable by
# their requester for REPORTS_EXPORT_TTL_HOURS, then deleted by a periodic task.
REPORTS_DIRECT_MAX_ROWS = env_int("REPORTS_DIRECT_MAX_ROWS", 20000)
REPORTS_EXPORT_DIR = env_str("REPORTS_EXPORT_DIR", str(Path(tempfile.gettempdir()) / "volunteer_net_exports"))
REPORTS_EXPORT_TTL_HOURS = env_int("REPORTS_EXPORT_TTL_HOURS", 24)
REPORTS_CLEAN_INTERVAL = env_int("REPORTS_CLEAN_INTERVAL", 3600)
# A running export whose worker has written nothing for this long is failed (its worker was
# killed or its host lost), and a queued one that no worker took up within REPORTS_EXPORT_QUEUE_
# SECONDS likewise, so that its requester sees the failure and runs it again instead of waiting.
REPORTS_EXPORT_STALL_SECONDS = env_int("REPORTS_EXPORT_STALL_SECONDS", 300)
REPORTS_EXPORT_QUEUE_SECONDS = env_int("REPORTS_EXPORT_QUEUE_SECONDS", 3600)
# The public Year of Volunteers page is cached this long (counts only, the same for everybody).
REPORTS_PUBLIC_CACHE_SECONDS = env_int("REPORTS_PUBLIC_CACHE_SECONDS", 600)
# Dashboard figures are recomputed at most this often per region scope, period and language (0: always).
REPORTS_DASHBOARD_CACHE_SECONDS = env_int("REPORTS_DASHBOARD_CACHE_SECONDS", 300)
# Threads (each with its own database connection) computing one dashboard's sections side by
# side on PostgreSQL (reports/sections.py); 1 computes them one after another.
REPORTS_DASHBOARD_THREADS = env_int("REPORTS_DASHBOARD_THREADS", 3)
# The staff's message log counts at most this many rows; past it the page says "more than" and
# offers the filters (volunteer_net/paging.py): a full count of a million rows costs ~50 ms.
MESSAGE_LIST_COUNT_CAP = env_int("MESSAGE_LIST_COUNT_CAP", 10_000)

# Celery with Redis. Without REDIS_URL (the embedded default) tasks run eagerly in-process.
REDIS_URL = env_str("REDIS_URL")
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", REDIS_URL) or None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# What a task prints (the development SMS and e-mail backends) stays on the worker's standard
# output instead of becoming log lines: logs carry no personal data.
CELERY_WORKER_REDIRECT_STDOUTS = False
# Workers log through LOGGING below, as the web processes do (its masking of e-mails, phones and
# IINs, and the JSON format), instead of Celery replacing the root handler with its own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "notifications-sweep": {
        "task": "notifications.tasks.sweep_due_messages",
        "schedule": float(NOTIFICATIONS_SWEEP_INTERVAL),
        # A sweep not picked up before the next one is queued is worthless.
        "options": {"expires": float(NOTIFICATIONS_SWEEP_INTERVAL)},
    },
    # Keeps every office's visit slots generated up to the booking horizon (idempotent).
    "front-offices-slots": {
        "task": "front_offices.tasks.sync_slots",
        "schedule": 3600.0,
        "options": {"expires": 3600.0},
    },
    # Hourly: an occurrence made an hour late is still days ahead of its window.
    "care-recurrence": {"task": "care.tasks.create_next_occurrences", "schedule": 3600.0},
    "care-erasure": {"task": "care.tasks.erase_expired_beneficiaries", "schedule": 86400.0},
    "reports-clean-exports": {
        "task": "reports.tasks.clean_exports",
        "schedule": float(REPORTS_CLEAN_INTERVAL),
    },
    "notifications-purge": {
        "task": "notifications.tasks.purge_old_messages",
        "schedule": 86400.0,
        "options": {"expires": 86400.0},
    },
    # Expired sessions and API tokens (Django keeps an expired session's row for ever).
    "accounts-clean-up": {
        "task": "accounts.tasks.clean_up",
        "schedule": 86400.0,
        "options": {"expires": 86400.0},
    },
    # Those who turned 18 awaiting their guardian: one message each, on the birthday's morning.
    "notifications-coming-of-age": {
        "task": "notifications.tasks.tell_those_come_of_age",
        "schedule": 86400.0,
        "options": {"expires": 86400.0},
    },
    "roster-imports-clean-up": {
        "task": "volunteers.imports.tasks.clean_up_imports",
        "schedule": 3600.0,
        "options": {"expires": 3600.0},
    },
}
# Several beats may be started; only the holder of a Redis lock sends (volunteer_net/beat.py).
CELERY_BEAT_SCHEDULER = "volunteer_net.beat:LeaderScheduler"
CELERY_BEAT_MAX_LOOP_INTERVAL = 5
BEAT_LEADER_TTL = env_int("BEAT_LEADER_TTL", 30)

# Roster import (volunteers/imports/): uploaded files wait here until imported, a day at most.
IMPORT_DIR = env_str("IMPORT_DIR", str(BASE_DIR / "var" / "imports"))
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 30 * 2**20)
# An XLSX is a zip: a megabyte of it can unpack into gigabytes (one cell of a billion letters),
# which the reader would hold in memory. A roster of 100 000 people unpacks into ~40 MB.
IMPORT_MAX_UNPACKED_BYTES = env_int("IMPORT_MAX_UNPACKED_BYTES", 200 * 2**20)
# Files with more rows than this are checked and imported by a Celery task, with a progress bar.
IMPORT_ASYNC_ROWS = env_int("IMPORT_ASYNC_ROWS", 2000)
IMPORT_KEEP_HOURS = env_int("IMPORT_KEEP_HOURS", 24)
# Without Redis (`make run`) those tasks run in a thread of the server process.
IMPORT_IN_PROCESS = env_bool("IMPORT_IN_PROCESS", CELERY_TASK_ALWAYS_EAGER)

CACHES = {
    "default": (
        {
            # Django's Redis backend, answering as a miss while Redis is down instead of failing
            # the request (volunteer_net/cache.py); a hung Redis costs a request 2 s at most.
            "BACKEND": "volunteer_net.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Map: the tile URL is a setting so that a private tile server can be used; the page still
# shows its markers when tiles cannot load.
MAP_TILES_URL = env_str("MAP_TILES_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILES_ATTRIBUTION = env_str("MAP_TILES_ATTRIBUTION", "© OpenStreetMap contributors")
# Responses of the public map endpoints may be kept this long by browsers and proxies (their
# ETag lets a client revalidate); region aggregates are computed at most this often.
MAP_CACHE_SECONDS = env_int("MAP_CACHE_SECONDS", 60)
MAP_REGIONS_CACHE_SECONDS = env_int("MAP_REGIONS_CACHE_SECONDS", 300)
LEAFLET_CONFIG = {
    "DEFAULT_CENTER": (48.0, 67.0),
    "DEFAULT_ZOOM": 5,
    "MIN_ZOOM": 3,
    "MAX_ZOOM": 18,
    "TILES": [(_("Map"), MAP_TILES_URL, {"attribution": MAP_TILES_ATTRIBUTION})],
    "RESET_VIEW": False,
}


def _tile_source(url: str) -> str:
    """The tile server's origin for the CSP: "https://{s}.tile.osm.org/…" → "https://*.tile.osm.org"."""
    parts = urlsplit(url.replace("{s}", "subdomain"))
    host = parts.netloc.replace("subdomain.", "*.") if "{s}" in url else parts.netloc
    return f"{parts.scheme}://{host}" if host else ""


# Content-Security-Policy (django-csp): our pages load scripts, styles, fonts and images from this
# site only and need no inline script or style (tests/e2e/test_pages_phone_a11y.py fails on any
# violation); the map's tiles come from MAP_TILES_URL's server. The API documentation page
# (Swagger UI) gets its own, looser policy for the inline style it ships with (volunteer_net/urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *filter(None, [_tile_source(MAP_TILES_URL)])],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Accounts ------------------------------------------------------------------------------------

# API tokens stop working this many hours after they were issued; a new one is issued on log-in.
TOKEN_TTL_HOURS = env_int("TOKEN_TTL_HOURS", 24 * 30)
# Activation links are valid as long as password-reset links (Django's PASSWORD_RESET_TIMEOUT).
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 60 * 60 * 24 * 3)

# Brute-force protection (django-axes) on the login page and POST /api/auth/token/. Failed
# attempts are kept in the database, so every web process sees the same counts, with or without
# Redis. An account is locked after LOGIN_FAILURE_LIMIT failures; an address only after
# LOGIN_IP_FAILURE_LIMIT, as a school or a mobile operator puts many people behind one address.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_IP_FAILURE_LIMIT = env_int("LOGIN_IP_FAILURE_LIMIT", 20)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15)
# Changing the e-mail, deleting the account and exporting IINs need the password typed within
# this many seconds (at log-in or on the "confirm your password" page; accounts/reauth.py).
REAUTH_MAX_AGE = env_int("REAUTH_MAX_AGE", 600)
AXES_HANDLER = "accounts.lockout.LoginAttemptHandler"
# The order matters to LoginAttemptHandler: the account first, then the address.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.lockout.attempted_email"
AXES_CLIENT_IP_CALLABLE = "accounts.ratelimit.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.views.lockout"
# A success does not wipe the address's failures: one known password must not reset a guesser.
AXES_RESET_ON_SUCCESS = False
# Successful log-ins are not recorded (no need to keep who logged in from where).
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ADMIN = False
# No start-up banner; log lines name only the lockout parameters, masked.
AXES_VERBOSE = False

# How many proxies in front of the app append to X-Forwarded-For (a TLS proxy: 1). The client's
# address is read that many places from the right; 0 uses the connection's address. Per-address
# limits (log-in lockout, registration, password reset, token throttling) all count by it.
NUM_PROXIES = env_int("NUM_PROXIES", 0)

# Per-address limits on forms that send e-mail or create accounts ("count/s|m|h|d"), counted in
# the cache (Redis when REDIS_URL is set, so shared by every web process).
RATE_LIMITS = {
    "register": env_rate("RATE_LIMIT_REGISTER", "20/h"),
    "password_reset": env_rate("RATE_LIMIT_PASSWORD_RESET", "10/h"),
    # Mails to one mailbox that anybody can ask for (a reset link, "you already have an account").
    "mailbox": env_rate("RATE_LIMIT_MAILBOX", "5/h"),
}

# Where someone lands after confirming their e-mail address and logging in.
ACTIVATION_REDIRECT_URL = "profile"

# Scoped API throttles (DRF ScopedRateThrottle): scope → rate, each from its own env variable.
# A view opts in with `throttle_scope = "<scope>"`; a new scope is one line here.
API_THROTTLE_RATES = {
    "auth_token": env_rate("API_TOKEN_THROTTLE_RATE", "20/min"),
    "signup": env_rate("API_SIGNUP_THROTTLE_RATE", "30/min"),
    "map": env_rate("API_MAP_THROTTLE_RATE", "120/min"),
    "visit_booking": env_rate("API_VISIT_BOOKING_THROTTLE_RATE", "30/min"),
}

REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header makes a missing credential a 401, not a 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ExpiringTokenAuthentication",
        "accounts.authentication.BearerTokenAuthentication",
        "accounts.authentication.SessionAuthentication",
    ],
    # The browsable API renders forms full of personal data into HTML pages; development only.
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        *(["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    ],
    # An unknown ?format= is a 406 naming the formats served, not DRF's 404 (volunteer_net/api.py).
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "volunteer_net.api.ContentNegotiation",
    "DEFAULT_THROTTLE_RATES": API_THROTTLE_RATES,
    "NUM_PROXIES": NUM_PROXIES,
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # Ours turns JSON nested too deeply for Python's parser into a 400.
    "DEFAULT_PARSER_CLASSES": [
        "volunteer_net.api.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "volunteer_net.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Volunteer Net API",
    "DESCRIPTION": "REST API of Volunteer Net: regions, the map, volunteers, campaigns, shifts and sign-ups. "
    "Version 1: fields are only added within it; a change that breaks clients comes as /api/v2/.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a "kind" or a "status": name the help requests' enums explicitly.
    "ENUM_NAME_OVERRIDES": {
        "HelpRequestKindEnum": "care.models.HelpRequest.Kind",
        "HelpRequestStatusEnum": "care.models.HelpRequest.Status",
        "CareAssignmentStatusEnum": "care.models.Assignment.Status",
        "SignupStatusEnum": "events.models.Signup.Status",
        "SignupCancelledStatusEnum": [("cancelled", "Cancelled")],
    },
    # The error bodies and common parameters every operation shares (volunteer_net/api_schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "volunteer_net.api_schema.add_common_errors",
    ],
}

# Security: with production values `manage.py check --deploy` is silent.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG and not TESTING)
# Load balancers probe over plain HTTP inside the network (volunteer_net/health.py).
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG and not TESTING)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG and not TESTING)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG or TESTING else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Browser features by origin list (volunteer_net/middleware.py): none of ours uses the camera,
# microphone, payments or devices; the "near me" buttons use the location, on our origin only.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    "accelerometer": [],
    "camera": [],
    "display-capture": [],
    "geolocation": ["self"],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "payment": [],
    "usb": [],
}
X_FRAME_OPTIONS = "DENY"
# A form sent with a stale token gets a page that says how to send it again, not Django's own.
CSRF_FAILURE_VIEW = "volunteer_net.views.csrf_failure"
SESSION_COOKIE_HTTPONLY = True
# A session ends this long after it last changed (the log-in, at the latest), not renewed by
# each page (that would be a write per request): two weeks by default, for volunteers on their
# phones; a deployment for staff on shared computers sets it lower. Sensitive actions ask for the
# password again whatever its age (REAUTH_MAX_AGE).
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 14 * 24 * 3600)

# LOG_FORMAT=json writes one JSON object per line (time, level, logger, message, request id) for
# a log collector; the default stays readable in a terminal. Every line of a request carries its
# id (X-Request-ID, volunteer_net/logs.py), also sent back in the response.
LOG_FORMAT = env_str("LOG_FORMAT", "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "volunteer_net.logs.RequestIdFilter"},
        "no_template_context": {"()": "volunteer_net.logs.NoTemplateContext"},
        "redact": {"()": "volunteer_net.logs.RedactPersonalData"},
    },
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "volunteer_net.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id", "redact"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # django-axes narrates every failed log-in at INFO; its warnings (masked) are enough.
    "loggers": {
        "axes": {"level": "WARNING"},
        "django.template": {"filters": ["no_template_context"]},
    },
}

# The version of the personal-data consent text shown at registration; recorded with each
# consent so that a later change of the text can be traced (law 94-V).
CONSENT_VERSION = env_str("CONSENT_VERSION", "2026-01")
# How long the personal link a minor's guardian opens to give consent stays valid.
GUARDIAN_LINK_DAYS = env_int("GUARDIAN_LINK_DAYS", 14)
# How long the link in a curator's invitation stays valid.
CURATOR_INVITATION_DAYS = env_int("CURATOR_INVITATION_DAYS", 7)
