"""Tongxin settings: one file, read from the environment.

SQLite (WAL mode) is the zero-setup default; set DATABASE_URL for PostgreSQL, e.g.
``postgres://postgres@127.0.0.1:5432/tongxin``.
"""

import datetime
import os
from collections.abc import Sequence
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

# --- Reading the environment ------------------------------------------------------------------------------
# Strict: a value that is not one of the accepted spellings stops the start with an error naming the
# variable, so that `TONGXIN_HTTPS=ture` cannot quietly mean "off". An unset or empty variable is the default.
TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")


def _env(name: str) -> str | None:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return None
    return value.strip()


def env_bool(name: str, default: bool = False) -> bool:
    """``1/true/yes/on`` or ``0/false/no/off`` (any case); anything else is an error."""
    value = _env(name)
    if value is None:
        return default
    if value.lower() in TRUE_WORDS:
        return True
    if value.lower() in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a yes/no value: use one of {', '.join(TRUE_WORDS)} (on) "
        f"or {', '.join(FALSE_WORDS)} (off)."
    )


def env_int(name: str, default: int, *, min_value: int | None = None, max_value: int | None = None) -> int:
    """A whole number within ``min_value``..``max_value`` (both included); anything else is an error."""
    value = _env(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
    if (min_value is not None and number < min_value) or (max_value is not None and number > max_value):
        low = "" if min_value is None else str(min_value)
        high = "" if max_value is None else str(max_value)
        raise ImproperlyConfigured(f"{name}={number} is out of range: use a whole number in {low}..{high}.")
    return number


def env_list(name: str, default: str = "") -> list[str]:
    """Comma-separated items, blanks around them dropped."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_choice(name: str, default: str, choices: Sequence[str]) -> str:
    """One of ``choices`` (case as given); anything else is an error."""
    value = _env(name)
    if value is None:
        return default
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} is not one of: {', '.join(choices)}.")
    return value


DEBUG = env_bool("TONGXIN_DEBUG", default=False)
# The test suite says so explicitly: pytest-django loads tongxin/settings_test.py (pyproject.toml), which
# turns this on before loading these settings. Tests run without keys and run tasks inline.
TESTING = env_bool("TONGXIN_TESTING", default=False)
SECRET_KEY = os.environ.get("TONGXIN_SECRET_KEY", "")
if not SECRET_KEY:
    # A known key signs sessions anyone could forge: only development (DEBUG) and the test suite may run
    # without one. `make run` writes one to var/dev.env (read by manage.py); `make test` and `make bench`
    # pass a throw-away one.
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured(
            "Set TONGXIN_SECRET_KEY (or TONGXIN_DEBUG=1 for development; `make run` writes both to var/dev.env)."
        )
    SECRET_KEY = "insecure-development-key-change-me"

# Personal-data encryption (tongxin/core/crypto.py): ID numbers and phones are stored encrypted with
# TONGXIN_FIELD_KEYS (comma-separated Fernet keys: the first encrypts, all decrypt, so a new key goes first
# and `manage.py rotate_field_keys` re-encrypts before the old one is dropped) and found by an HMAC under
# TONGXIN_LOOKUP_KEY. Like the secret key, production refuses to start without them.
TONGXIN_FIELD_KEYS = env_list("TONGXIN_FIELD_KEYS")
TONGXIN_LOOKUP_KEY = os.environ.get("TONGXIN_LOOKUP_KEY", "")
if not (TONGXIN_FIELD_KEYS and TONGXIN_LOOKUP_KEY):
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured(
            "Set TONGXIN_FIELD_KEYS (Fernet keys, comma-separated; make one with `python -c 'from "
            "cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`) and TONGXIN_LOOKUP_KEY "
            "(a long random string), or TONGXIN_DEBUG=1 for development."
        )
    # Fixed, public, insecure keys for development and the tests only.
    TONGXIN_FIELD_KEYS = TONGXIN_FIELD_KEYS or ["aW5zZWN1cmUtZGV2ZWxvcG1lbnQta2V5LTAwMDAwMDA="]
    TONGXIN_LOOKUP_KEY = TONGXIN_LOOKUP_KEY or "insecure-development-lookup-key"

ALLOWED_HOSTS = env_list("TONGXIN_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("TONGXIN_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "tongxin.core",
    "tongxin.orgs",
    "tongxin.people",
    "tongxin.accounts",
    "tongxin.lifecycle",
    "tongxin.orglife",
    "tongxin.activities",
    "captcha",  # django-simple-captcha: the public micro-wish form
    "tongxin.privacy",
    "tongxin.venues",
    "tongxin.deputies",
    "tongxin.donations",
    "tongxin.community",
    "tongxin.study",
    "tongxin.points",
    "tongxin.dashboard",
]

MIDDLEWARE = [
    "tongxin.core.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tongxin.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "tongxin.core.confirm.AskFirstMiddleware",  # after the CSRF check: a destructive POST asks first
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tongxin.accounts.middleware.SessionExpiryMiddleware",
    "tongxin.core.dbrouting.ReplicaPinMiddleware",  # read-your-writes: after a write, reads stay on the primary
    "django_otp.middleware.OTPMiddleware",
    "tongxin.accounts.middleware.LoginStepsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "tongxin.core.headers.SecurityHeadersMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # last (django-axes): turns a lockout into the lockout page
]

ROOT_URLCONF = "tongxin.urls"
WSGI_APPLICATION = "tongxin.wsgi.application"
ASGI_APPLICATION = "tongxin.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "tongxin" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tongxin.core.context_processors.navigation",
            ],
        },
    },
]

# Database: SQLite file by default, DATABASE_URL for PostgreSQL (psycopg 3).
DATABASE_URL = os.environ.get("DATABASE_URL", "")


# Behind pgbouncer in transaction pooling (docs/scale-out.md): a server connection is lent for one transaction
# only, so Django keeps no connection between requests (pgbouncer keeps the server's warm), uses no server-side
# cursors (``.iterator()`` would open a WITH HOLD cursor that outlives the transaction) and sends no startup
# "options" (pgbouncer refuses them: set ``jit = off`` on the database instead, ALTER DATABASE ... SET jit = off).
TONGXIN_PGBOUNCER = env_bool("TONGXIN_PGBOUNCER")


def database_from_url(url: str) -> dict:
    """One DATABASES entry from a URL (dj-database-url), with the settings every PostgreSQL connection gets."""
    database = dj_database_url.parse(url, conn_max_age=0 if TONGXIN_PGBOUNCER else 60, conn_health_checks=True)
    if database["ENGINE"] == "django.db.backends.postgresql" and TONGXIN_PGBOUNCER:
        database["DISABLE_SERVER_SIDE_CURSORS"] = True
    elif database["ENGINE"] == "django.db.backends.postgresql":
        # No JIT compilation: a page's query over a district's subtree crosses its cost threshold and spent a
        # third of its time compiling (the arrears page: 105 of 300 ms, EXPLAIN ANALYZE); web queries are short.
        # A libpq "options" string already in the URL (?options=...) is kept and comes first.
        options = database.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()
    return dict(database)


if DATABASE_URL:
    DATABASES = {"default": database_from_url(DATABASE_URL)}
else:
    SQLITE_PATH = Path(os.environ.get("TONGXIN_SQLITE_PATH", str(BASE_DIR / "var" / "tongxin.sqlite3")))
    SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(SQLITE_PATH),
            "OPTIONS": {
                # WAL lets readers proceed while one writer writes; IMMEDIATE avoids lock upgrades.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
                "transaction_mode": "IMMEDIATE",
            },
        }
    }
# A read replica (docs/scale-out.md): DATABASE_REPLICA_URL, e.g. a streaming standby of the primary, adds the
# "replica" alias. Only reads the code marks with tongxin.core.dbrouting.reads_from_replica (exports, reports,
# the dashboard) go to it; every write and every other read goes to "default". A user who has just written
# reads from the primary for TONGXIN_REPLICA_PIN_SECONDS (read-your-writes, kept in the session). Under test
# the replica mirrors the test database (TEST MIRROR), so tests see the primary's rows.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {**database_from_url(DATABASE_REPLICA_URL), "TEST": {"MIRROR": "default"}}
DATABASE_ROUTERS = ["tongxin.core.dbrouting.ReplicaRouter"]
TONGXIN_REPLICA_PIN_SECONDS = env_int("TONGXIN_REPLICA_PIN_SECONDS", 10, min_value=0, max_value=3600)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# --- Login and sessions (docs/security.md) ------------------------------------------------------------
# Argon2id first; the others stay so that an older hash still verifies and is rehashed at the next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# At least 10 characters, letters and digits, not a common password, not like the username or name, not the
# person's name in pinyin with a few digits or the birth date.
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ["username", "first_name", "last_name", "email"]},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "tongxin.accounts.validators.LettersAndDigitsValidator"},
    {"NAME": "tongxin.accounts.validators.PersonalInfoValidator"},
]
# django-axes checks for a lockout first; our backend refuses expired one-time codes.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "tongxin.accounts.backends.PasswordBackend",
]
# Lockout by username (not by IP: schools and offices share one address behind NAT, and a guesser with many
# addresses would multiply their tries): 5 wrong passwords lock the account for 30 minutes; tries while
# locked are refused unchecked and do not extend it. A one-time login code, `manage.py axes_reset_username`
# or the user admin's "unlock" action lifts it.
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_FAILURE_LIMIT = env_int("TONGXIN_LOGIN_FAILURE_LIMIT", 5, min_value=1, max_value=1000)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("TONGXIN_LOCKOUT_MINUTES", 30, min_value=1))
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "tongxin.accounts.views.lockout_response"
AXES_VERBOSE = False
# axes.W006 asks for the IP address as a lockout key too; we decided against it (above). Spraying one password
# over many usernames is what an IP key would slow down: the password policy refuses the common ones.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# Two-factor authentication (TOTP) for every administrator; `make run` turns it off for the demo.
TONGXIN_ADMIN_2FA = env_bool("TONGXIN_ADMIN_2FA", default=True)
OTP_TOTP_ISSUER = "Tongxin"
# One-time login codes handed out by secretaries and administrators stop working after this many days.
TONGXIN_LOGIN_CODE_DAYS = env_int("TONGXIN_LOGIN_CODE_DAYS", 7, min_value=1, max_value=365)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "tongxin" / "locale"]
TIME_ZONE = os.environ.get("TONGXIN_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("TONGXIN_STATIC_ROOT", str(BASE_DIR / "var" / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
NODE_MODULES = BASE_DIR / "node_modules"
# Front-end libraries come from npm (package-lock.json) and are served locally by whitenoise.
STATICFILES_DIRS = [
    BASE_DIR / "tongxin" / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),  # charts (study rates, dashboards)
    # Scanning QR codes with the phone's camera (check-in): the BarcodeDetector polyfill and its decoder,
    # whose .wasm file is served from here too (the library's default would fetch it from a CDN).
    ("vendor/barcode-detector", NODE_MODULES / "barcode-detector" / "dist" / "iife"),
    ("vendor/zxing", NODE_MODULES / "zxing-wasm" / "dist" / "reader"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("TONGXIN_MANIFEST_STATIC", default=False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # DRF's token authentication, refused while the account must change its password (as sessions are)
        "tongxin.accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "tongxin.core.api.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Tongxin API",
    "DESCRIPTION": "Organisations and roster of a Youth League district, scoped to the caller's subtree.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Over a hundred operations: a filter box by tag, and a link to each operation (Swagger UI renders the
    # long page as it is scrolled, so a reader looks an app up rather than scrolling to it).
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "filter": True},
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every operation documents the errors it may answer (400, 401, 403, 404): tongxin/core/api_schema.py.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "tongxin.core.api_schema.document_error_responses",
    ],
    # drf-spectacular would build the whole schema inside `check --deploy` and report its naming
    # warnings there; `check --deploy` is kept to deployment security (tongxin/core/tests/test_web_security.py)
    # and the schema is checked by the schemathesis run against /api/schema/.
    "ENABLE_DJANGO_DEPLOY_CHECK": False,
    # Choice sets whose field names collide ("kind", "status") get a readable name instead of a hash
    # (``Kind292Enum``): tongxin/core/tests/test_api_schema_enums.py refuses any <Word><hex>Enum.
    "ENUM_NAME_OVERRIDES": {
        "ChecklistKindEnum": "tongxin.orglife.models.ChecklistKind",
        "ChecklistStatusEnum": "tongxin.orglife.models.ChecklistStatus",
        "MeetingKindEnum": "tongxin.orglife.models.MeetingKind",
        "MeetingStatusEnum": "tongxin.orglife.models.MeetingStatus",
        "AttendanceStatusEnum": "tongxin.orglife.models.AttendanceStatus",
        "LessonKindEnum": "tongxin.orglife.models.LessonKind",
        "ActivityKindEnum": "tongxin.activities.models.ActivityKind",
        "ActivityStatusEnum": "tongxin.activities.models.ActivityStatus",
        "RegistrationStatusEnum": "tongxin.activities.models.RegistrationStatus",
        "WishStatusEnum": "tongxin.activities.models.WishStatus",
        "CorrectionStatusEnum": "tongxin.activities.models.CorrectionStatus",
        "DuesKindEnum": "tongxin.lifecycle.models.DuesKind",
        "ReviewStatusEnum": "tongxin.lifecycle.models.ReviewStatus",
        "MembershipStatusEnum": "tongxin.people.models.MembershipStatus",
        "GraduationDestinationEnum": "tongxin.lifecycle.models.GraduationDestination",
        "TransferStatusEnum": "tongxin.lifecycle.models.TransferStatus",
        "LapseStatusEnum": "tongxin.lifecycle.models.LapseStatus",
        "VenueKindEnum": "tongxin.venues.models.VenueKind",
        "VenueStatusEnum": "tongxin.venues.models.VenueStatus",
        "BookingStatusEnum": "tongxin.venues.models.BookingStatus",
        "BookingFrequencyEnum": "tongxin.venues.models.Frequency",
        "TimeOfDayEnum": "tongxin.venues.forms.TIME_CHOICES",
        "HonourKindEnum": "tongxin.venues.models.HonourKind",
        "HonourLevelEnum": "tongxin.venues.models.HonourLevel",
        "HonourStatusEnum": "tongxin.venues.models.HonourStatus",
        "DeputyRequestStatusEnum": "tongxin.deputies.models.RequestStatus",
        "DonationDriveStatusEnum": "tongxin.donations.models.DriveStatus",
        "DonorKindEnum": "tongxin.donations.models.DonorKind",
        "CommunityRegistrationStatusEnum": "tongxin.community.models.RegistrationStatus",
        "ServiceNeedStatusEnum": "tongxin.community.models.NeedStatus",
        "ServiceNeedKindEnum": "tongxin.community.models.NeedKind",
        "QuestionKindEnum": "tongxin.study.models.QuestionKind",
        # GB/T 4762: a person's political status, and the codes of a study campaign's audience
        "PoliticalStatusEnum": "tongxin.core.codes.PoliticalStatus",
    },
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("TONGXIN_SESSION_SECONDS", 8 * 3600, min_value=60)  # absolute limit
# The wall display (大屏) fetches its figures again this often (from this server's API only).
TONGXIN_WALL_REFRESH_SECONDS = env_int("TONGXIN_WALL_REFRESH_SECONDS", 60, min_value=10, max_value=3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# A session unused this long ends (tongxin.accounts.middleware.SessionExpiryMiddleware).
TONGXIN_SESSION_IDLE_SECONDS = env_int("TONGXIN_SESSION_IDLE_SECONDS", 30 * 60, min_value=60)
SESSION_COOKIE_SECURE = env_bool("TONGXIN_SECURE_COOKIES", default=env_bool("TONGXIN_HTTPS"))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# --- Security headers and HTTPS (docs/security.md, docs/operations.md) -----------------------------------
# Production runs behind HTTPS: TONGXIN_HTTPS=1 turns on the redirect to https://, HSTS and secure cookies
# (`manage.py check --deploy` is clean with it, a strong TONGXIN_SECRET_KEY and TONGXIN_DEBUG unset).
TONGXIN_HTTPS = env_bool("TONGXIN_HTTPS")
SECURE_SSL_REDIRECT = TONGXIN_HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP inside the network
if env_bool("TONGXIN_BEHIND_PROXY"):  # TLS ends at a reverse proxy that sets X-Forwarded-Proto and X-Real-IP
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # the per-address rate limits count the client's address, not the proxy's (tongxin.core.client_address)
    RATELIMIT_IP_META_KEY = "tongxin.core.client_address.behind_proxy"
SECURE_HSTS_SECONDS = env_int("TONGXIN_HSTS_SECONDS", 365 * 24 * 3600, min_value=0) if TONGXIN_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("TONGXIN_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("TONGXIN_HSTS_PRELOAD", default=True)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Sent by tongxin.core.headers.SecurityHeadersMiddleware on every response.
TONGXIN_PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
# Only our own assets (django-csp 4). No inline script or style anywhere: behaviour lives in
# tongxin/static/tongxin/app.js, styles in app.css. Downloads get a stricter sandbox policy
# (tongxin.core.headers); the API docs pages relax it per view (tongxin/api_urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Logs (docs/operations.md): every record carries the request id and has ID numbers and phones masked;
# JSON lines by default, plain text with DEBUG (TONGXIN_LOG_FORMAT=json|text to choose).
TONGXIN_LOG_FORMAT = env_choice("TONGXIN_LOG_FORMAT", "text" if DEBUG else "json", ("json", "text"))
TONGXIN_LOG_LEVEL = env_choice("TONGXIN_LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "tongxin.core.logs.RequestIdFilter"},
        "personal_data": {"()": "tongxin.core.logs.PersonalDataFilter"},
    },
    "formatters": {
        "json": {"()": "tongxin.core.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id", "personal_data"],
            "formatter": "json" if TONGXIN_LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": TONGXIN_LOG_LEVEL},
    "loggers": {
        # Django's own handlers would bypass the filters above: send its records to ours.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
        "django.db.backends": {"level": "INFO"},
    },
}

# Domain rules marked "configurable" in DOMAIN.md: defaults live in tongxin.core.rules and can be
# overridden per deployment with RuleValue rows (edited by the district admin).
TONGXIN_PAGE_SIZE = env_int("TONGXIN_PAGE_SIZE", 50, min_value=1, max_value=1000)

# Long work (imports, exports) runs as tasks: stored in the database and run by `manage.py db_worker`,
# which `make run` starts beside the web server. The test suite runs them inline.
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "TONGXIN_TASKS_BACKEND",
            # django-tasks-db's, its enqueue lighter (tongxin.core.task_backend)
            "django_tasks.backends.immediate.ImmediateBackend"
            if TESTING
            else "tongxin.core.task_backend.DatabaseBackend",
        )
    }
}

# The cache holds the counters that must be shared by every app process: the rate limits of the public forms
# (django-ratelimit), the wrong codes typed per organiser, the personal check-in codes already used. With several
# app processes (gunicorn workers, several servers) set TONGXIN_CACHE_URL to a Redis server
# ("redis://127.0.0.1:6379/1"); without it each process keeps its own (fine for one process: `make run`).
TONGXIN_CACHE_URL = os.environ.get("TONGXIN_CACHE_URL", "").strip()
if TONGXIN_CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": TONGXIN_CACHE_URL,
            "KEY_PREFIX": "tongxin",
        }
    }

# Points hooks (core.achievements): offers are delivered to the points ledger by the task worker, after the
# producer's transaction commits (off: in the producer's transaction, as before; the worker is then not needed
# for points).
TONGXIN_ACHIEVEMENTS_QUEUED = env_bool("TONGXIN_ACHIEVEMENTS_QUEUED", default=True)

# Spreadsheet imports: the largest file and the most data rows accepted in one file.
TONGXIN_IMPORT_MAX_BYTES = env_int("TONGXIN_IMPORT_MAX_BYTES", 20 * 1024 * 1024, min_value=1)
TONGXIN_IMPORT_MAX_ROWS = env_int("TONGXIN_IMPORT_MAX_ROWS", 50000, min_value=1)
# Uploaded files hold personal data: `manage.py prune_imports` deletes those older than this.
TONGXIN_IMPORT_KEEP_DAYS = env_int("TONGXIN_IMPORT_KEEP_DAYS", 30, min_value=1)
# `manage.py backup` writes here (docs/operations.md); keep it on another disk or copy it off the machine.
TONGXIN_BACKUP_DIR = Path(os.environ.get("TONGXIN_BACKUP_DIR", str(BASE_DIR / "var" / "backups")))

# Input bounds (tongxin.core.bounds): dates of past events from this year on; plans within this many years of today.
TONGXIN_HISTORY_FIRST_YEAR = env_int("TONGXIN_HISTORY_FIRST_YEAR", 1900, min_value=1800, max_value=2000)
TONGXIN_PLAN_YEARS = env_int("TONGXIN_PLAN_YEARS", 5, min_value=1, max_value=50)

# Lookups by ID number (recruitment, the roster form, a transfer in) allowed per user in any hour; more are
# refused until the oldest leaves the hour (tongxin.core.audit.record_id_lookup).
TONGXIN_ID_LOOKUPS_PER_HOUR = env_int("TONGXIN_ID_LOOKUPS_PER_HOUR", 60, min_value=1, max_value=100000)

# Meeting attachments (photos and PDFs, kept in the database): the largest file accepted.
TONGXIN_ATTACHMENT_MAX_BYTES = env_int("TONGXIN_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024, min_value=1)

# The public micro-wish form's challenge (django-simple-captcha, drawn here, no third-party service); the test
# suite types "PASSED".
CAPTCHA_TEST_MODE = TESTING
CAPTCHA_IMAGE_SIZE = (120, 40)

# A study period's uploaded video (MP4 or WebM, checked by its content).
TONGXIN_STUDY_VIDEO_MAX_BYTES = env_int("TONGXIN_STUDY_VIDEO_MAX_BYTES", 200 * 1024 * 1024, min_value=1)
