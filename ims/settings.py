"""IMS settings: one file, every deployment difference read from the environment.

Defaults are safe for a laptop (SQLite and files under ./var, DEBUG off).
``IMS_PRODUCTION=true`` turns on the HTTPS-only hardening that
``manage.py check --deploy`` expects and refuses to start without a real secret key.
"""

import os
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

env = environ.Env()
BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env.str("IMS_VAR_DIR", default=str(BASE_DIR / "var")))
PRODUCTION = env.bool("IMS_PRODUCTION", default=False)
DEBUG = env.bool("IMS_DEBUG", default=False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("IMS_DEBUG must be off when IMS_PRODUCTION is on.")


def _development_secret_key():
    """A per-checkout random key kept in ./var, so sessions survive restarts without a shared default."""
    path = VAR_DIR / "secret_key"
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    try:
        # Created exclusively and readable by the owner only; a concurrent start reads the winner's key.
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as handle:
            handle.write(get_random_secret_key())
    except FileExistsError:
        pass
    return path.read_text().strip()


if PRODUCTION:
    SECRET_KEY = env.str("IMS_SECRET_KEY")
else:
    SECRET_KEY = env.str("IMS_SECRET_KEY", default="") or _development_secret_key()

# Absolute links in emails and letters point here.
IMS_SITE_URL = env.str("IMS_SITE_URL", default="http://127.0.0.1:8000")
ALLOWED_HOSTS = env.list("IMS_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("IMS_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # modeltranslation must come before admin to patch its forms.
    "modeltranslation",
    "ims.site.admin_apps.AdminConfig",  # Django's admin, behind the policy
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks_db",
    "crontask",
    "ims.core",
    "ims.accounts",
    "ims.factories",
    "ims.goodpractice",
    "ims.checklists",
    "ims.audit",
    "ims.assessments",
    "ims.responses",
    "ims.grants",
    "ims.notifications",
    "ims.api",
    "ims.reports",
    "ims.capture",
    "ims.analytics",
    "ims.training",
    "ims.advisory",
    "ims.remediation",
    "ims.operations",
    "ims.site",
    "ims.voice",
    "ims.readings",
    "ims.planning",
    "ims.people",
]

MIDDLEWARE = [
    # Operations first: /healthz and /readyz answer before host checks, HTTPS redirects and sessions;
    # the request log times everything below it.
    "ims.operations.health.HealthCheckMiddleware",
    "ims.operations.request_log.RequestLogMiddleware",
    "ims.operations.limits.RequestSizeMiddleware",  # an oversized body refused before it is read
    "ims.operations.input_guard.InputGuardMiddleware",  # NUL characters and unpaired surrogates refused
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files, served compressed (brotli, gzip) and immutable
    # Pages and JSON compressed with gzip (Django's GZipMiddleware). BREACH, for pages with a CSRF token: Django
    # masks the token anew in every response, and the middleware pads each response by a random length.
    "ims.core.compression.ResponseCompressionMiddleware",
    "ims.core.caching.CachePolicyMiddleware",  # public pages stored and revalidated, the rest no-store
    "django.middleware.http.ConditionalGetMiddleware",  # ETags from the content, 304 when unchanged
    "ims.core.compression.RequestDecompressionMiddleware",  # gzip request bodies (the capture app's sync)
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "ims.api.language.AcceptLanguageMiddleware",  # the API speaks Accept-Language even with a language cookie
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "ims.urls"
WSGI_APPLICATION = "ims.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "ims" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "ims.site.context_processors.languages",
                "ims.site.context_processors.navigation",
                "ims.notifications.context_processors.unread_notices",
                "ims.people.context_processors.waiting",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'ims.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the task worker writes; IMMEDIATE avoids
    # "database is locked" errors when two writers start a transaction together.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("IMS_DB_CONN_MAX_AGE", default=60)
    # A kept connection is checked before each request reuses it: after a database restart the
    # first request reconnects instead of failing on the dead connection.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:start"  # what needs the person now
LOGOUT_REDIRECT_URL = "core:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("km", _("Khmer")),
    ("zh-hans", _("Simplified Chinese")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env.str("IMS_TIME_ZONE", default="Asia/Phnom_Penh")
USE_TZ = True

# Content translations (checklist, sheets) are stored per language; a missing one must
# show as missing, so modeltranslation never falls back to English on its own.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_LANGUAGES = ("en", "km", "zh-hans")
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": ()}

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
WEBFONTS_DIR = VAR_DIR / "webfonts"  # built by `manage.py build_webfonts`
STATICFILES_DIRS = [BASE_DIR / "ims" / "static", ("webfonts", WEBFONTS_DIR)]
# Outside production WhiteNoise serves straight from the app folders, picking up edits.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
for _directory in (WEBFONTS_DIR, STATIC_ROOT):
    _directory.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "ims.operations.storage.AtomicFileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "ims.operations.static_files.StaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("IMS_MEDIA_ROOT", default=str(VAR_DIR / "media")))

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
_mail_backend = env.str(
    "IMS_EMAIL_BACKEND",
    default=SMTP_BACKEND if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
_mailer = {"BACKEND": _mail_backend}
if _mail_backend == SMTP_BACKEND:
    _mailer["OPTIONS"] = {
        "host": env.str("IMS_EMAIL_HOST", default="localhost"),
        "port": env.int("IMS_EMAIL_PORT", default=25),
        "username": env.str("IMS_EMAIL_USER", default=""),
        "password": env.str("IMS_EMAIL_PASSWORD", default=""),
        "use_tls": env.bool("IMS_EMAIL_USE_TLS", default=False),
        "timeout": env.int("IMS_EMAIL_TIMEOUT", default=30),
    }
MAILERS = {"default": _mailer}
DEFAULT_FROM_EMAIL = env.str("IMS_DEFAULT_FROM_EMAIL", default="IMS <no-reply@localhost>")

# Content Security Policy (Django's own middleware), in development and tests too so that every browser test
# runs under it: scripts, styles, fonts and images only from IMS itself, no inline script, no plugins, no
# framing, forms posting only to IMS. Photos previewed before upload are blob: URLs; icons in CSS data: URLs.
# Inline styles stay allowed: the charts are matplotlib's SVG, drawn with style attributes.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "worker-src": [CSP.SELF],
    "manifest-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("IMS_SECURE_SSL_REDIRECT", default=True)
    # Only behind a proxy that sets X-Forwarded-Proto itself; otherwise clients could forge it.
    if env.bool("IMS_BEHIND_TLS_PROXY", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("IMS_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("IMS_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("IMS_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True

# Worker voice: a question's result is shown once this many workers answered it (never fewer than 5).
IMS_VOICE_MIN_RESPONDENTS = env.int("IMS_VOICE_MIN_RESPONDENTS", default=10)

# Evidence photos: larger files are refused with a clear message before decoding, and so are images of more
# pixels than a phone camera takes (a small PNG may decode to gigabytes).
IMS_MAX_UPLOAD_BYTES = env.int("IMS_MAX_UPLOAD_BYTES", default=15 * 1024 * 1024)
IMS_MAX_IMAGE_PIXELS = env.int("IMS_MAX_IMAGE_PIXELS", default=50_000_000)
# A report PDF sent to the public verification page.
IMS_MAX_VERIFY_BYTES = 20 * 1024 * 1024
# Request bodies are refused from their Content-Length above these (ims.operations.limits).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Background work (notification emails, report generation) runs in `manage.py db_worker`.
TASKS = {
    "default": {
        "BACKEND": env.str("IMS_TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
    }
}

# --- Operations (issue 19): object storage, shared cache, workers, health, error reports, logs ---------------

# Evidence photos and report PDFs live in an S3-compatible bucket when one is named (several app
# servers then share them), else on disk under IMS_MEDIA_ROOT. The bucket stays private: downloads
# go through the app's own checks, which stream the file (no public or signed URL is handed out).
IMS_S3_BUCKET = env.str("IMS_S3_BUCKET", default="")
if IMS_S3_BUCKET:
    from botocore.config import Config as _S3ClientConfig

    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": IMS_S3_BUCKET,
            "endpoint_url": env.str("IMS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("IMS_S3_REGION", default="") or None,
            "access_key": env.str("IMS_S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("IMS_S3_SECRET_ACCESS_KEY", default="") or None,
            "default_acl": "private",
            "file_overwrite": False,  # a new name for every write: a reader never sees half a file
            # An unreachable store answers uploads and downloads within seconds, not after minutes of retries
            # (/readyz asks it with a client of its own that tries once).
            "client_config": _S3ClientConfig(
                s3={"addressing_style": env.str("IMS_S3_ADDRESSING_STYLE", default="path")},
                signature_version="s3v4",
                connect_timeout=5,
                read_timeout=60,
                retries={"max_attempts": 3, "mode": "standard"},
            ),
        },
    }

# One cache for every process (rate limits, the statistics pages' fragments): the database by
# default, Redis or Valkey when IMS_CACHE_URL names one (redis://host:6379/0). Sessions are then
# cached there too, written through to the database.
IMS_CACHE_URL = env.str("IMS_CACHE_URL", default="")
if IMS_CACHE_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": IMS_CACHE_URL}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "ims_cache"}}

# The task worker (`manage.py run_worker`) writes a heartbeat every IMS_WORKER_HEARTBEAT_SECONDS; a
# task whose worker has been silent for IMS_WORKER_LEASE_SECONDS is taken up again by another worker.
IMS_WORKER_HEARTBEAT_SECONDS = env.float("IMS_WORKER_HEARTBEAT_SECONDS", default=5)
IMS_WORKER_LEASE_SECONDS = env.float("IMS_WORKER_LEASE_SECONDS", default=60)
# /readyz: a task waiting longer than this means the workers do not keep up.
IMS_READY_MAX_TASK_WAIT_SECONDS = env.int("IMS_READY_MAX_TASK_WAIT_SECONDS", default=900)
# The scheduler (`manage.py run_scheduler`) enqueues the periodic jobs; one runs per deployment.
CRONTASK = {"REDIS_URL": IMS_CACHE_URL or None}

# Error reports go to Sentry (or a compatible service) only when a DSN is given.
IMS_SENTRY_DSN = env.str("IMS_SENTRY_DSN", default="")
if IMS_SENTRY_DSN:
    import logging

    import sentry_sdk
    from sentry_sdk.integrations.logging import LoggingIntegration

    sentry_sdk.init(
        dsn=IMS_SENTRY_DSN,
        environment=env.str("IMS_SENTRY_ENVIRONMENT", default="production" if PRODUCTION else "development"),
        traces_sample_rate=env.float("IMS_SENTRY_TRACES_SAMPLE_RATE", default=0.0),
        # Findings, notes and people's names stay out of error reports.
        data_collection={"user_info": False, "http_bodies": []},
        # Errors logged rather than raised (a failed task in the worker, a damaged file) are reported too.
        integrations=[LoggingIntegration(event_level=logging.ERROR)],
    )

# IMS_LOG_FORMAT=json: every log line, and one line per request, as a JSON object.
IMS_LOG_FORMAT = env.str("IMS_LOG_FORMAT", default="text")
IMS_LOG_REQUESTS = env.bool("IMS_LOG_REQUESTS", default=IMS_LOG_FORMAT == "json")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "ims.api.authentication.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PARSER_CLASSES": [
        "ims.api.parsers.CheckedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["ims.api.throttling.AnonRateThrottle", "ims.api.throttling.UserRateThrottle"],
    "EXCEPTION_HANDLER": "ims.api.errors.handle_api_exception",
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("IMS_API_ANON_RATE", default="60/minute"),
        "user": env.str("IMS_API_USER_RATE", default="600/minute"),
        # Report PDFs typeset on demand for visitors who are not signed in (ims.reports.throttling).
        "anon_typesetting": env.str("IMS_ANON_TYPESETTING_RATE", default="6/minute"),
        "anon_typesetting_total": env.str("IMS_ANON_TYPESETTING_TOTAL_RATE", default="60/minute"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "IMS API",
    "DESCRIPTION": "Labour-compliance monitoring: assessments, findings, reports, objections, action plans, access.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", **({"formatter": "json"} if IMS_LOG_FORMAT == "json" else {})}
    },
    "root": {"handlers": ["console"], "level": env.str("IMS_LOG_LEVEL", default="INFO")},
    # fontTools narrates every glyph it keeps when building web fonts.
    # fontTools and django-axes (every sign-in) narrate at INFO.
    "loggers": {"fontTools": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

# --- Accounts (issues 15 and 16): password guessing, trusted proxies, API tokens ----------------------------

# How many proxies of ours stand in front of the app and append the client's address to X-Forwarded-For
# (Caddy in compose.yaml: 1). With 0 the header is ignored: a client could write anything there.
IMS_TRUSTED_PROXY_COUNT = env.int("IMS_TRUSTED_PROXY_COUNT", default=0)
REST_FRAMEWORK["NUM_PROXIES"] = IMS_TRUSTED_PROXY_COUNT

# Two-factor authentication (ims.accounts.two_factor): authenticator apps and recovery codes, by django-otp.
INSTALLED_APPS += ["django_otp", "django_otp.plugins.otp_totp", "django_otp.plugins.otp_static"]
OTP_TOTP_ISSUER = "IMS"

# django-axes: failed sign-ins counted per account and per client address (ims.accounts.throttling).
INSTALLED_APPS += ["axes"]
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]  # last, as axes asks: it answers a locked-out sign-in
AUTHENTICATION_BACKENDS = ["ims.accounts.throttling.SignInThrottle", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env.int("IMS_SIGN_IN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("IMS_SIGN_IN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]  # either one alone locks
AXES_CLIENT_IP_CALLABLE = "ims.accounts.throttling.client_address"
AXES_USERNAME_CALLABLE = "ims.accounts.throttling.account_tried"
AXES_LOCKOUT_CALLABLE = "ims.accounts.throttling.locked_out"
AXES_HTTP_RESPONSE_CODE = 429

# An API token opens the API for this many days from when it was issued (ims.api.models.ApiToken).
IMS_API_TOKEN_DAYS = env.int("IMS_API_TOKEN_DAYS", default=90)
# An invitation's link sets a password once, within this many days (ims.people.invitations).
IMS_INVITATION_DAYS = env.int("IMS_INVITATION_DAYS", default=7)
