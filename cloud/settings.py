"""Django settings for the cloud, all read from environment variables.

docs/configuration.md lists every variable with its default. The defaults give
a single-host trial (SQLite under var/, Redis on localhost); production and the
test suite set DATABASE_URL to PostgreSQL.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

from cloud.config import env_bool, env_float, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("CLOUD_VAR_DIR", str(BASE_DIR / "var")))


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated per installation.

    There is deliberately no hard-coded fallback: a key in the source would be
    the same on every deployment.
    """
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    path = VAR_DIR / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(key)
        return key


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["*"])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "channels",
    "identity_app",
    "image_app",
    "compute_app",
    "network_app",
    "console_app",
]

MIDDLEWARE = [
    "cloud.api.middleware.RequestIdMiddleware",
    "cloud.api.middleware.ErrorMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# Clients such as openstacksdk call /compute/v2.1 and /compute/v2.1/ alike; URL
# patterns accept both spellings, so a redirect must never happen.
APPEND_SLASH = False

ROOT_URLCONF = "cloud.urls"
ASGI_APPLICATION = "cloud.asgi.application"
WSGI_APPLICATION = "cloud.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- database ----------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'cloud.sqlite3'}")
if env_bool("CLOUD_NO_DB", False):
    # Compute and network workers never touch the database (they report through
    # the conductor); the dummy backend turns any accidental ORM use into an error.
    DATABASES = {"default": {"ENGINE": "django.db.backends.dummy"}}
else:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0))}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("DATABASE_POOL", True):
        # psycopg2 with a per-process pool: see cloud/db/pooled_postgresql/base.py.
        DATABASES["default"]["ENGINE"] = "cloud.db.pooled_postgresql"
    if os.environ.get("CLOUD_TEST_DB_NAME"):
        DATABASES["default"]["TEST"] = {"NAME": os.environ["CLOUD_TEST_DB_NAME"]}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES["default"]["OPTIONS"] = {"timeout": 30}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- i18n / time ---------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"

# --- public endpoints (what the service catalog advertises) ---------------------
PUBLIC_URL = env_str("CLOUD_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
INTERNAL_URL = env_str("CLOUD_INTERNAL_URL", PUBLIC_URL).rstrip("/")
ADMIN_URL = env_str("CLOUD_ADMIN_URL", INTERNAL_URL).rstrip("/")
REGION_NAME = env_str("CLOUD_REGION", "RegionOne")

# --- identity --------------------------------------------------------------------
# "local": tokens are issued and checked by identity_app. "keystone": tokens
# are checked against an existing Keystone at KEYSTONE_AUTH_URL (docs/keystone.md).
IDENTITY_BACKEND = env_str("IDENTITY_BACKEND", "local")
KEYSTONE_AUTH_URL = env_str("KEYSTONE_AUTH_URL", "")
KEYSTONE_SERVICE_USER = env_str("KEYSTONE_SERVICE_USER", "nova")
KEYSTONE_SERVICE_PASSWORD = env_str("KEYSTONE_SERVICE_PASSWORD", "")
KEYSTONE_SERVICE_PROJECT = env_str("KEYSTONE_SERVICE_PROJECT", "service")
KEYSTONE_SERVICE_DOMAIN = env_str("KEYSTONE_SERVICE_DOMAIN", "Default")
KEYSTONE_TOKEN_CACHE_SECONDS = env_int("KEYSTONE_TOKEN_CACHE_SECONDS", 60)
KEYSTONE_TIMEOUT = env_float("KEYSTONE_TIMEOUT", 10.0)  # seconds per call to Keystone
TOKEN_LIFETIME = env_int("TOKEN_LIFETIME", 3600)
POLICY_FILE = env_str("POLICY_FILE", "")

# --- API limits --------------------------------------------------------------------
MAX_JSON_BODY_BYTES = env_int("MAX_JSON_BODY_BYTES", 114688)
MAX_JSON_DEPTH = env_int("MAX_JSON_DEPTH", 32)
API_MAX_LIMIT = env_int("API_MAX_LIMIT", 1000)

# --- services and heartbeats ---------------------------------------------------------
HOST = env_str("CLOUD_HOST", os.uname().nodename)
REPORT_INTERVAL = env_float("REPORT_INTERVAL", 10.0)
SERVICE_DOWN_TIME = env_float("SERVICE_DOWN_TIME", 60.0)

# --- images -----------------------------------------------------------------------
IMAGE_STORE_DIR = Path(env_str("IMAGE_STORE_DIR", str(VAR_DIR / "images")))
IMAGE_SIZE_CAP = env_int("IMAGE_SIZE_CAP", 1099511627776)  # 1 TiB, as Glance
IMAGE_SAVING_TIMEOUT = env_float("IMAGE_SAVING_TIMEOUT", 900.0)  # an upload idle this long was abandoned
IMAGE_CHUNK_SIZE = env_int("IMAGE_CHUNK_SIZE", 65536)  # bytes read/written per step of an upload or download
IMAGE_LIST_DEFAULT_LIMIT = env_int("IMAGE_LIST_DEFAULT_LIMIT", 25)  # page size without ?limit=, as Glance
IMAGE_TAG_QUOTA = env_int("IMAGE_TAG_QUOTA", 128)  # tags per image, as Glance
IMAGE_PROPERTY_QUOTA = env_int("IMAGE_PROPERTY_QUOTA", 128)  # custom properties per image, as Glance
IMAGE_MEMBER_QUOTA = env_int("IMAGE_MEMBER_QUOTA", 128)  # members per shared image, as Glance

# --- compute -----------------------------------------------------------------------
COMPUTE_DRIVER = env_str("COMPUTE_DRIVER", "fake")
DEFAULT_AVAILABILITY_ZONE = env_str("DEFAULT_AVAILABILITY_ZONE", "nova")
CPU_ALLOCATION_RATIO = env_float("CPU_ALLOCATION_RATIO", 16.0)
RAM_ALLOCATION_RATIO = env_float("RAM_ALLOCATION_RATIO", 1.5)
DISK_ALLOCATION_RATIO = env_float("DISK_ALLOCATION_RATIO", 1.0)
SCHEDULER_MAX_ATTEMPTS = env_int("SCHEDULER_MAX_ATTEMPTS", 3)
# How old the scheduler's snapshot of hosts may get before it is read again (0: every request).
SCHEDULER_SNAPSHOT_SECONDS = env_float("SCHEDULER_SNAPSHOT_SECONDS", 1.0)
BUILD_TIMEOUT = env_float("BUILD_TIMEOUT", 600.0)
DELETE_TIMEOUT = env_float("DELETE_TIMEOUT", 300.0)
SWEEP_INTERVAL = env_float("SWEEP_INTERVAL", 30.0)
FAKE_DRIVER_CONFIG = env_str("FAKE_DRIVER_CONFIG", "")

# --- Celery ---------------------------------------------------------------------------
# Everything else about queues (names, routing, acks) lives in cloud/celery.py.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
CELERY_BROKER_KEYPREFIX = env_str("CELERY_BROKER_KEYPREFIX", "")
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 3600)

# --- Channels -----------------------------------------------------------------------------
CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- DRF --------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["cloud.api.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["cloud.api.authentication.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["cloud.api.parsers.StrictJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["cloud.api.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "cloud.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "cloud.api.renderers.IgnoreClientContentNegotiation",
}

# --- logging --------------------------------------------------------------------------------
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "cloud.context.RequestIdLogFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(process)d %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
        "daphne": {"level": "WARNING"},
        "celery": {"level": "WARNING"},
        "amqp": {"level": "WARNING"},
        "kombu": {"level": "WARNING"},
    },
}
