"""The one settings module. Every knob comes from an environment variable (12-factor).

The defaults give an embedded demo (SQLite under var/, in-memory channel layer, console SMS).
With ANYUN_ENV=production the process refuses to start on unsafe values (see core.checks).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = Path(os.environ.get("ANYUN_PROJECT_DIR", BASE_DIR.parent.parent))
VAR_DIR = Path(os.environ.get("ANYUN_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else default


ANYUN_ENV = os.environ.get("ANYUN_ENV", "development")
IS_PRODUCTION = ANYUN_ENV == "production"
DEMO_SECRET = "anyun-development-only-secret-key-change-me"  # noqa: S105 - refused in production

SECRET_KEY = os.environ.get("ANYUN_SECRET_KEY", DEMO_SECRET)
DEBUG = env_bool("ANYUN_DEBUG", not IS_PRODUCTION)
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ANYUN_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("ANYUN_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

# Keys for sensitive fields (ID number, phone). Fernet key (urlsafe base64, 32 bytes) and an
# HMAC key for the searchable blind index. Development derives both from SECRET_KEY.
ANYUN_FIELD_KEYS = [
    k.strip() for k in os.environ.get("ANYUN_FIELD_KEYS", "").split(",") if k.strip()
]
ANYUN_INDEX_KEY = os.environ.get("ANYUN_INDEX_KEY", "")

INSTALLED_APPS = [
    "anyun.core.admin_site.AnyunAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "channels",
    "ninja",  # serves the API docs' assets from the package (our CSP allows no CDN)
    "anyun.core",
    "anyun.audit",
    "anyun.accounts",
    "anyun.notify",
    "anyun.staff",
    "anyun.careteam",
    "anyun.consent",
    "anyun.pregnancy",
    "anyun.monitoring",
    "anyun.assessment",
    "anyun.wellbeing",
    "anyun.scheduling",
    "anyun.consultation",
    "anyun.billing",
    "anyun.prescribing",
    "anyun.orders",
    "anyun.delivery",
    "anyun.web",
]

MIDDLEWARE = [
    "anyun.core.middleware.FailureMiddleware",
    "anyun.core.middleware.VersionsMiddleware",
    "anyun.core.middleware.NoStoreMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "anyun.accounts.middleware.StaffSecondFactorMiddleware",
    "anyun.accounts.middleware.SessionTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "anyun.urls"
ASGI_APPLICATION = "anyun.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "anyun.web.context_processors.anyun",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", "")
# PostgreSQL connections per process, pooled (psycopg's pool): ASGI runs each request in a
# fresh thread, so persistent per-thread connections would never be reused. 0 turns it off.
ANYUN_DB_POOL_SIZE = env_int("ANYUN_DB_POOL_SIZE", 8)
# Statements run this many times on one connection are prepared on the server (psycopg's
# own default is 5), so PostgreSQL parses and plans them once; it needs the values sent
# apart from the SQL (server-side binding). 0 turns both off (e.g. behind a pooler in
# transaction mode, which cannot keep a connection's prepared statements).
ANYUN_DB_PREPARE_THRESHOLD = env_int("ANYUN_DB_PREPARE_THRESHOLD", 5)
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        options = DATABASES["default"].setdefault("OPTIONS", {})
        if ANYUN_DB_POOL_SIZE:
            options["pool"] = {
                "min_size": 1,
                "max_size": ANYUN_DB_POOL_SIZE,
                "timeout": 10,  # seconds a request waits for a free connection, then 503
            }
        if ANYUN_DB_PREPARE_THRESHOLD:
            options["server_side_binding"] = True
            options["prepare_threshold"] = ANYUN_DB_PREPARE_THRESHOLD
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # the embedded database lives here
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "anyun.sqlite3"),
            "OPTIONS": {
                # WAL lets the web process read while the worker writes.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
# Tests use a file database too (not SQLite's shared in-memory one), so that the live
# servers' threads and the test wait for each other's locks under the same WAL and busy
# timeout as the product instead of failing with "database table is locked".
DATABASES["default"]["TEST"] = {
    "NAME": os.environ.get("ANYUN_TEST_DB_NAME")
    or (None if DATABASE_URL else str(VAR_DIR / f"test-anyun-{os.getpid()}.sqlite3"))
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:staff_login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("ANYUN_PASSWORD_MIN_LENGTH", 8)},
    },
    {
        "NAME": "anyun.accounts.passwords.CharacterClassValidator",
        "OPTIONS": {"min_classes": env_int("ANYUN_PASSWORD_MIN_CLASSES", 3)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
]

# MLPS level 3 defaults (GB/T 22239-2019): lockout after 5 failures for 10 minutes,
# idle timeout 30 minutes, absolute session limit 12 hours.
ANYUN_LOGIN_MAX_FAILURES = env_int("ANYUN_LOGIN_MAX_FAILURES", 5)
ANYUN_LOGIN_LOCK_MINUTES = env_int("ANYUN_LOGIN_LOCK_MINUTES", 10)
# The lock above holds one account from one address; failures from all addresses together
# lock the whole account only after this many (and the security administrator is told).
ANYUN_LOGIN_ACCOUNT_MAX_FAILURES = env_int("ANYUN_LOGIN_ACCOUNT_MAX_FAILURES", 20)
# Staff sign-in attempts (django-ratelimit rates, "count/period" with s, m, h or d).
ANYUN_SIGN_IN_RATE_PER_ADDRESS = os.environ.get("ANYUN_SIGN_IN_RATE_PER_ADDRESS", "20/m")
ANYUN_SIGN_IN_RATE_PER_ACCOUNT = os.environ.get("ANYUN_SIGN_IN_RATE_PER_ACCOUNT", "10/m")
ANYUN_IDLE_TIMEOUT_MINUTES = env_int("ANYUN_IDLE_TIMEOUT_MINUTES", 30)
ANYUN_ABSOLUTE_SESSION_HOURS = env_int("ANYUN_ABSOLUTE_SESSION_HOURS", 12)
ANYUN_PASSWORD_MAX_AGE_DAYS = env_int("ANYUN_PASSWORD_MAX_AGE_DAYS", 90)

# One-time codes for women: single use, 10 minutes, bound to the number, rate-limited.
ANYUN_OTP_TTL_SECONDS = env_int("ANYUN_OTP_TTL_SECONDS", 600)
ANYUN_OTP_RESEND_SECONDS = env_int("ANYUN_OTP_RESEND_SECONDS", 60)
ANYUN_OTP_MAX_PER_PHONE_HOUR = env_int("ANYUN_OTP_MAX_PER_PHONE_HOUR", 5)
ANYUN_OTP_MAX_PER_IP_HOUR = env_int("ANYUN_OTP_MAX_PER_IP_HOUR", 20)
ANYUN_OTP_MAX_ATTEMPTS = env_int("ANYUN_OTP_MAX_ATTEMPTS", 5)

ANYUN_SMS_PROVIDER = os.environ.get(
    "ANYUN_SMS_PROVIDER", "anyun.notify.providers.ConsoleSmsProvider"
)
ANYUN_IDENTITY_PROVIDER = os.environ.get(
    "ANYUN_IDENTITY_PROVIDER", "anyun.accounts.identity.DevelopmentIdentityProvider"
)
# Prescription signatures (FB-7): the signer class; a CA's provider is plugged in here.
ANYUN_PRESCRIPTION_SIGNER = os.environ.get(
    "ANYUN_PRESCRIPTION_SIGNER", "anyun.prescribing.signing.LocalKeySigner"
)
# Payment (FB-8): the provider class (the demo's sandbox is refused in production), how long
# an order waits for payment, the sandbox's notification secret (derived from the secret key
# when unset), the delivery fee of a prescription, and WeChat Pay API v3's merchant settings.
ANYUN_PAYMENT_PROVIDER = os.environ.get(
    "ANYUN_PAYMENT_PROVIDER", "anyun.billing.providers.SandboxProvider"
)
ANYUN_PAYMENT_TIMEOUT_MINUTES = env_int("ANYUN_PAYMENT_TIMEOUT_MINUTES", 30)
ANYUN_SANDBOX_PAY_SECRET = os.environ.get("ANYUN_SANDBOX_PAY_SECRET", "")
ANYUN_DELIVERY_FEE_FEN = env_int("ANYUN_DELIVERY_FEE_FEN", 1000)
# The online consultation fee in fen (billing.consultation_fee; 0: none taken online).
ANYUN_CONSULTATION_FEE_FEN = env_int("ANYUN_CONSULTATION_FEE_FEN", 0)
# Days between the reminders of her health self-assessment while pregnant (0: none).
ANYUN_SELF_CHECK_REMINDER_DAYS = env_int("ANYUN_SELF_CHECK_REMINDER_DAYS", 7)
# Pick-up and delivery (IMP-4c, IMP-4d): the courier provider class, the promised delivery
# time after payment (hours; later alerts the pharmacy and tells her), the demo courier's
# minutes from hand-over to delivery.
ANYUN_DELIVERY_PROVIDER = os.environ.get(
    "ANYUN_DELIVERY_PROVIDER", "anyun.delivery.providers.DemoProvider"
)
ANYUN_DELIVERY_PROMISE_HOURS = env_int("ANYUN_DELIVERY_PROMISE_HOURS", 24)
ANYUN_DELIVERY_DEMO_MINUTES = env_int("ANYUN_DELIVERY_DEMO_MINUTES", 30)
ANYUN_WECHATPAY_MCHID = os.environ.get("ANYUN_WECHATPAY_MCHID", "")
ANYUN_WECHATPAY_APPID = os.environ.get("ANYUN_WECHATPAY_APPID", "")
ANYUN_WECHATPAY_CERT_SERIAL_NO = os.environ.get("ANYUN_WECHATPAY_CERT_SERIAL_NO", "")
ANYUN_WECHATPAY_PRIVATE_KEY_FILE = os.environ.get("ANYUN_WECHATPAY_PRIVATE_KEY_FILE", "")
ANYUN_WECHATPAY_APIV3_KEY = os.environ.get("ANYUN_WECHATPAY_APIV3_KEY", "")
ANYUN_WECHATPAY_PUBLIC_KEY_FILE = os.environ.get("ANYUN_WECHATPAY_PUBLIC_KEY_FILE", "")
ANYUN_WECHATPAY_PUBLIC_KEY_ID = os.environ.get("ANYUN_WECHATPAY_PUBLIC_KEY_ID", "")
ANYUN_WECHATPAY_CERT_DIR = os.environ.get("ANYUN_WECHATPAY_CERT_DIR", "")
ANYUN_CREDENTIAL_WARNING_DAYS = env_int("ANYUN_CREDENTIAL_WARNING_DAYS", 30)
ANYUN_CARE_TEAM_CONSULT_DAYS = env_int("ANYUN_CARE_TEAM_CONSULT_DAYS", 30)
# Scheduling (ACC-3, ACC-4a, ACC-6): the hospital's booking rules.
ANYUN_BOOKING_DAYS_AHEAD = env_int("ANYUN_BOOKING_DAYS_AHEAD", 14)
ANYUN_BOOKING_CHANGE_HOURS = env_int("ANYUN_BOOKING_CHANGE_HOURS", 2)
ANYUN_REMINDER_DAY_BEFORE_AT = os.environ.get("ANYUN_REMINDER_DAY_BEFORE_AT", "18:00")
ANYUN_REMINDER_SAME_DAY_AT = os.environ.get("ANYUN_REMINDER_SAME_DAY_AT", "07:30")
ANYUN_QUEUE_ACCEPT_MINUTES = env_int("ANYUN_QUEUE_ACCEPT_MINUTES", 30)
# Video calls (FI-1): STUN and TURN servers (comma-separated URLs) and the TURN REST API secret
# shared with coturn (static-auth-secret); credentials issued live this long.
ANYUN_STUN_URLS = [u.strip() for u in os.environ.get("ANYUN_STUN_URLS", "").split(",") if u.strip()]
ANYUN_TURN_URLS = [u.strip() for u in os.environ.get("ANYUN_TURN_URLS", "").split(",") if u.strip()]
ANYUN_TURN_SECRET = os.environ.get("ANYUN_TURN_SECRET", "")
ANYUN_TURN_TTL_SECONDS = env_int("ANYUN_TURN_TTL_SECONDS", 3600)
# Mental-health screening (FA-6): the hospital's validated wording of EPDS/PHQ-9/GAD-7, one
# JSON file per scale (anyun.clinical.scales.wording_parse), comma-separated paths.
ANYUN_SCALE_WORDING_FILES = [
    p.strip() for p in os.environ.get("ANYUN_SCALE_WORDING_FILES", "").split(",") if p.strip()
]
# An urgent alarm not acknowledged in this time goes to the next person on duty (FB-9).
ANYUN_ALARM_ESCALATION_MINUTES = env_int("ANYUN_ALARM_ESCALATION_MINUTES", 15)
# The address staff open from an SMS (an urgent alarm's link), without a trailing slash.
# Readings one check-in may carry (a device gateway may send a day's worth at once).
ANYUN_CHECKIN_MAX_READINGS = env_int("ANYUN_CHECKIN_MAX_READINGS", 20)
if not 1 <= ANYUN_CHECKIN_MAX_READINGS <= 1000:
    raise ImproperlyConfigured("ANYUN_CHECKIN_MAX_READINGS must be between 1 and 1000.")
ANYUN_SITE_URL = os.environ.get("ANYUN_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
ANYUN_UPLOAD_MAX_BYTES = env_int("ANYUN_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
# API lists: the largest page a client may ask for.
NINJA_PAGINATION_PER_PAGE = 20
NINJA_PAGINATION_MAX_LIMIT = 100

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = ANYUN_ABSOLUTE_SESSION_HOURS * 3600
SESSION_COOKIE_SECURE = IS_PRODUCTION
CSRF_COOKIE_SECURE = IS_PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Behind the hospital's TLS-terminating proxy: the header it sets on HTTPS requests.
ANYUN_PROXY_SSL_HEADER = os.environ.get("ANYUN_PROXY_SSL_HEADER", "X-Forwarded-Proto")
if IS_PRODUCTION:
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + ANYUN_PROXY_SSL_HEADER.upper().replace("-", "_"),
        "https",
    )

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        # 'self' covers the live feed's ws:/wss: on our own origin (CSP Level 3), no other.
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
# The hospital's name as printed on what leaves it (the pregnancy chart's PDF).
ANYUN_HOSPITAL_NAME = os.environ.get("ANYUN_HOSPITAL_NAME", "安孕示范医院")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = (
    [PROJECT_DIR / "build" / "vendor"] if (PROJECT_DIR / "build" / "vendor").exists() else []
)
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

TASKS = {
    "default": {
        "BACKEND": os.environ.get("ANYUN_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# Finished queue jobs are deleted after this many days (a daily sweep); failed ones are kept
# longer, for whoever looks into why.
ANYUN_JOB_RETENTION_DAYS = env_int("ANYUN_JOB_RETENTION_DAYS", 7)
ANYUN_FAILED_JOB_RETENTION_DAYS = env_int("ANYUN_FAILED_JOB_RETENTION_DAYS", 30)

REDIS_URL = os.environ.get("REDIS_URL", "")
# Rate-limit counters and sign-in locks live in the cache: the process's memory embedded (one
# process), Redis when scaled out so that every app server counts the same attempts.
CACHES = {
    "default": (
        {"BACKEND": "anyun.core.cache.SharedRedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Embedded: the queue worker runs inside the web process (the in-memory channel layer cannot
# cross processes). Scaled out (REDIS_URL set): separate `anyun db_worker` processes.
ANYUN_EMBEDDED_WORKER = env_bool("ANYUN_EMBEDDED_WORKER", not REDIS_URL)
ANYUN_WORKER_INTERVAL = float(os.environ.get("ANYUN_WORKER_INTERVAL", "1.0"))
# A running job's worker renews its lease this often x3; a job whose lease lapsed belongs to a
# dead worker and is put back on the queue.
ANYUN_JOB_LEASE_SECONDS = float(os.environ.get("ANYUN_JOB_LEASE_SECONDS", "15"))
# How often an open live-feed socket checks that its session still holds.
ANYUN_FEED_SESSION_CHECK_SECONDS = float(os.environ.get("ANYUN_FEED_SESSION_CHECK_SECONDS", "30"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "anyun": {"handlers": ["console"], "level": os.environ.get("ANYUN_LOG_LEVEL", "INFO")},
    },
}
