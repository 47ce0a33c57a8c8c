"""Tongxin settings: one file, read from the environment.

SQLite (WAL mode) is the zero-setup default; set DATABASE_URL for PostgreSQL, e.g.
``postgres://postgres@127.0.0.1:5432/tongxin``.
"""

import os
import sys
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("TONGXIN_DEBUG", default=False)
SECRET_KEY = os.environ.get("TONGXIN_SECRET_KEY", "")
if not SECRET_KEY:
    # A known key signs sessions anyone could forge: only development (DEBUG), the test suite and the type
    # checker (which loads the settings) may run without one. `make test` and `make bench` pass one anyway.
    if not DEBUG and not {"pytest", "mypy"} & set(sys.modules):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("Set TONGXIN_SECRET_KEY (or TONGXIN_DEBUG=1 for development).")
    SECRET_KEY = "insecure-development-key-change-me"

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
    "tongxin.core",
    "tongxin.orgs",
    "tongxin.people",
    "tongxin.accounts",
    "tongxin.lifecycle",
    "tongxin.orglife",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tongxin.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
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
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
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
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

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
        "rest_framework.authentication.TokenAuthentication",
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
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(os.environ.get("TONGXIN_SESSION_SECONDS", str(8 * 3600)))
SESSION_COOKIE_SECURE = env_bool("TONGXIN_SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("TONGXIN_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Domain rules marked "configurable" in DOMAIN.md: defaults live in tongxin.core.rules and can be
# overridden per deployment with RuleValue rows (edited by the district admin).
TONGXIN_PAGE_SIZE = int(os.environ.get("TONGXIN_PAGE_SIZE", "50"))

# Long work (imports, exports) runs as tasks: stored in the database and run by `manage.py db_worker`,
# which `make run` starts beside the web server. The test suite runs them inline.
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "TONGXIN_TASKS_BACKEND",
            "django_tasks.backends.immediate.ImmediateBackend"
            if "pytest" in sys.modules
            else "django_tasks_db.DatabaseBackend",
        )
    }
}

# Spreadsheet imports: the largest file and the most data rows accepted in one file.
TONGXIN_IMPORT_MAX_BYTES = int(os.environ.get("TONGXIN_IMPORT_MAX_BYTES", str(20 * 1024 * 1024)))
TONGXIN_IMPORT_MAX_ROWS = int(os.environ.get("TONGXIN_IMPORT_MAX_ROWS", "50000"))
# Uploaded files hold personal data: `manage.py prune_imports` deletes those older than this.
TONGXIN_IMPORT_KEEP_DAYS = int(os.environ.get("TONGXIN_IMPORT_KEEP_DAYS", "30"))

# Meeting attachments (photos and PDFs, kept in the database): the largest file accepted.
TONGXIN_ATTACHMENT_MAX_BYTES = int(os.environ.get("TONGXIN_ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024)))
