"""Interlude settings.

Everything that differs between a laptop and a clinic's server comes from environment variables
(see docs/deployment.md). Production differs from development only by `INTERLUDE_ENV=production`
and the secrets it then insists on.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from config.settings.env import (
    load_or_create_secret,
    mailers_from_url,
    parse_key_ring,
    private_dir,
    private_file,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent

INTERLUDE_ENV = os.environ.get("INTERLUDE_ENV", "development").strip().lower()
IS_PRODUCTION = INTERLUDE_ENV == "production"
DEBUG = os.environ.get("DJANGO_DEBUG", "") == "1" and not IS_PRODUCTION

DATA_DIR = Path(os.environ.get("INTERLUDE_DATA_DIR") or BASE_DIR / "var").resolve()

# --- Secrets -------------------------------------------------------------------------------------
# Production refuses to start without secrets given by the operator; elsewhere they are generated
# once and kept in the data directory so restarts keep sessions and encrypted data readable.
if IS_PRODUCTION:
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    # The same test as Django's security.W009: long, varied, and not a startproject placeholder.
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure"):
        raise ImproperlyConfigured(
            "INTERLUDE_ENV=production needs SECRET_KEY: a random string of at least 50 characters. "
            'Generate one with: python -c "import secrets; print(secrets.token_urlsafe(64))"'
        )
    _key_ring_text = os.environ.get("INTERLUDE_ENCRYPTION_KEYS", "")
    if not _key_ring_text:
        raise ImproperlyConfigured(
            "INTERLUDE_ENV=production needs INTERLUDE_ENCRYPTION_KEYS (the key-encryption keys, "
            "kept outside the database and distinct from SECRET_KEY). See docs/deployment.md."
        )
else:
    # Owner-only, even when the directory was made beforehand with 0755 (secrets, SQLite).
    private_dir(DATA_DIR)
    SECRET_KEY = os.environ.get("SECRET_KEY") or load_or_create_secret(DATA_DIR / "secret_key")
    _key_ring_text = os.environ.get("INTERLUDE_ENCRYPTION_KEYS") or (
        "1:" + load_or_create_secret(DATA_DIR / "encryption_key", kind="aes256")
    )
# {key id: 32-byte key}; the highest id encrypts, every listed id decrypts (see core/crypto.py).
ENCRYPTION_KEYS = parse_key_ring(_key_ring_text)
if SECRET_KEY in _key_ring_text:
    raise ImproperlyConfigured("INTERLUDE_ENCRYPTION_KEYS must not contain SECRET_KEY.")

# Where a client's data exports wait (0600 files) until downloaded or a day old (rights app).
EXPORTS_DIR = Path(os.environ.get("INTERLUDE_EXPORTS_DIR") or DATA_DIR / "exports")
# Where clinicians' progress report PDFs wait (0600 files) for a day (insights app).
REPORTS_DIR = Path(os.environ.get("INTERLUDE_REPORTS_DIR") or DATA_DIR / "reports")
# Uploaded files waiting to be imported (owner-only; deleted once added, discarded or a day old).
IMPORTS_DIR = Path(os.environ.get("INTERLUDE_IMPORTS_DIR") or DATA_DIR / "imports")
# Upload limits (SR-22): spreadsheets and FHIR Bundles are small; Apple Health exports are not.
IMPORT_MAX_TEXT_BYTES = int(os.environ.get("INTERLUDE_IMPORT_MAX_TEXT_BYTES") or 50 * 1024**2)
IMPORT_MAX_ARCHIVE_BYTES = int(os.environ.get("INTERLUDE_IMPORT_MAX_ARCHIVE_BYTES") or 4 * 1024**3)
# What an Apple Health zip may unpack to, and its largest compression ratio (zip bombs).
IMPORT_MAX_UNPACKED_BYTES = int(
    os.environ.get("INTERLUDE_IMPORT_MAX_UNPACKED_BYTES") or 16 * 1024**3
)
IMPORT_MAX_ZIP_RATIO = 200

# --- Audit trail (SR-32, ADR 0015) ---------------------------------------------------------------
# HMAC keys for the audit chain and its checkpoints: outside the database, so a database writer
# cannot recompute a hash. Same `id:<base64 32 bytes>` form; the highest id signs, every listed id
# verifies (rotate by adding a key; never remove one while events or checkpoints still name it).
if IS_PRODUCTION:
    _audit_keys_text = os.environ.get("AUDIT_HMAC_KEYS", "")
    if not _audit_keys_text:
        raise ImproperlyConfigured(
            "INTERLUDE_ENV=production needs AUDIT_HMAC_KEYS (the audit chain's HMAC keys, kept "
            "outside the database and distinct from the other secrets). See docs/deployment.md."
        )
else:
    _audit_keys_text = os.environ.get("AUDIT_HMAC_KEYS") or (
        "1:" + load_or_create_secret(DATA_DIR / "audit_hmac_key", kind="aes256")
    )
AUDIT_HMAC_KEYS = parse_key_ring(
    _audit_keys_text, name="AUDIT_HMAC_KEYS", what="Audit HMAC key", purpose="HMAC-SHA256"
)
if 0 in AUDIT_HMAC_KEYS:
    raise ImproperlyConfigured("AUDIT_HMAC_KEYS: key id 0 is reserved for unkeyed legacy events.")
if SECRET_KEY in _audit_keys_text or set(AUDIT_HMAC_KEYS.values()) & set(ENCRYPTION_KEYS.values()):
    raise ImproperlyConfigured(
        "AUDIT_HMAC_KEYS must differ from SECRET_KEY and from INTERLUDE_ENCRYPTION_KEYS."
    )
# Where signed checkpoints of the chain head are appended; ship this file off the server.
AUDIT_CHECKPOINT_FILE = Path(
    os.environ.get("AUDIT_CHECKPOINT_FILE") or DATA_DIR / "audit-checkpoints.jsonl"
)
# Also send each checkpoint to syslog: "/dev/log", "udp://host:514" or "tcp://host:514".
AUDIT_SYSLOG_ADDRESS = os.environ.get("AUDIT_SYSLOG_ADDRESS", "").strip()
# Seconds between checkpoints written by `manage.py serve` (audit_checkpoint --every).
AUDIT_CHECKPOINT_EVERY = int(os.environ.get("AUDIT_CHECKPOINT_EVERY", "300"))

# --- Hosts ---------------------------------------------------------------------------------------
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get(
        "ALLOWED_HOSTS", "" if IS_PRODUCTION else "127.0.0.1,localhost,[::1],testserver"
    ).split(",")
    if h.strip()
]
if IS_PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("INTERLUDE_ENV=production needs ALLOWED_HOSTS (comma-separated).")
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/")
# Web push for reminders (VAPID, RFC 8292). Without both keys the app offers email reminders only.
# `VAPID_PRIVATE_KEY`: the private key (base64url raw or PEM); `VAPID_PUBLIC_KEY`: the matching
# application server key (base64url, uncompressed point); `VAPID_SUBJECT`: a mailto: or https: URL
# the push services can contact.
VAPID_PUBLIC_KEY = os.environ.get("VAPID_PUBLIC_KEY", "").strip()
VAPID_PRIVATE_KEY = os.environ.get("VAPID_PRIVATE_KEY", "").strip()
VAPID_SUBJECT = os.environ.get("VAPID_SUBJECT", "mailto:no-reply@interlude.test").strip()

# --- Applications --------------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "axes",
    "django_htmx",
    "django_tasks_db",
    "ninja",
    "interlude.core",
    "interlude.accounts",
    "interlude.audit",
    "interlude.practices",
    "interlude.consents",
    "interlude.tracking",
    "interlude.exercises",
    "interlude.care",
    "interlude.measures",
    "interlude.messaging",
    "interlude.reminders",
    "interlude.alerts",
    "interlude.homework",
    "interlude.interop",
    "interlude.catalog",
    "interlude.insights",
    "interlude.rights",
    "interlude.clinic",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "interlude.core.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # allauth's, writing at most once a minute per session (accounts/middleware.py).
    "interlude.accounts.middleware.UserSessionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After MessageMiddleware: it tells the person why they were signed out.
    "interlude.accounts.middleware.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "interlude.clinic.middleware.AccessPolicyMiddleware",
    # After the access rule: a client with a consent question answers it on their next page.
    "interlude.consents.middleware.ConsentOnboardingMiddleware",
    # Axes last, as its docs require, so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "interlude" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "interlude.core.context_processors.interlude",
                "interlude.alerts.context_processors.alerts",
            ],
        },
    }
]

# --- Database ------------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if IS_PRODUCTION and (not DATABASE_URL or DATABASE_URL.startswith("sqlite")):
    raise ImproperlyConfigured(
        "INTERLUDE_ENV=production needs DATABASE_URL pointing at PostgreSQL "
        "(postgres://user:password@host:5432/name). The embedded SQLite database is for "
        "trying Interlude out, not for client data."
    )
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    _sqlite_path = DATA_DIR / "interlude.sqlite3"
    if not IS_PRODUCTION:  # production refuses SQLite above; this creates it owner-only
        private_file(_sqlite_path)
        for _journal in (DATA_DIR / "interlude.sqlite3-wal", DATA_DIR / "interlude.sqlite3-shm"):
            if _journal.exists():
                private_file(_journal)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(_sqlite_path),
            "OPTIONS": {
                # IMMEDIATE makes writers queue instead of failing with "database is locked" when
                # the web server and the task worker write at once; WAL lets readers carry on.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, tasks, Redis -------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600}}
    INSTALLED_APPS.append("django_rq")
else:
    # Shared by every process (web workers and the task worker), unlike the in-memory cache.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "interlude_cache",
        }
    }
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# The clock's lock (ADR 0026): "auto" is PostgreSQL's advisory lock on PostgreSQL, a file lock on
# SQLite; "redis" where session locks do not hold (pgbouncer in transaction pooling).
CLOCK_LOCK = os.environ.get("INTERLUDE_CLOCK_LOCK", "auto").strip().lower()

# --- Authentication ------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {
        "NAME": "interlude.accounts.validators.MaximumLengthValidator",
        "OPTIONS": {"max_length": 128},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "interlude.accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"  # people join by invitation, which proves the address
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
# Keep the cookie across browser restarts (a phone app between sessions); how long a session
# really lives is decided server-side by SessionTimeoutMiddleware, per role.
ACCOUNT_SESSION_REMEMBER = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_EMAIL_NOTIFICATIONS = True  # tell people when their password or MFA changes (SR-06)
ACCOUNT_REAUTHENTICATION_REQUIRED = True
# Lockout is django-axes' job (database-backed, per user + IP); allauth's cache-based one is off.
ACCOUNT_RATE_LIMITS = {"login_failed": None}
ACCOUNT_PASSWORD_INPUT_RENDER_VALUE = False
MFA_ADAPTER = "interlude.accounts.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Interlude"
USERSESSIONS_TRACK_ACTIVITY = True

AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=15)
# Per account, whatever address the guesses come from (SR-05: at most 5 per 15 minutes). Guesses
# during a lockout neither count nor extend it, so a stranger cannot keep the owner out for good;
# a password reset by email clears it at once (accounts/receivers.py). The per-address limit on
# sign-in attempts is allauth's "login" rate limit.
# (The username+address pair is implied by the username alone; it is listed because axes' W006
# deploy check wants ip_address somewhere, and silencing a security check would hide others.)
AXES_LOCKOUT_PARAMETERS = [["username"], ["username", "ip_address"]]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "interlude.accounts.views.lockout_response"
AXES_USERNAME_FORM_FIELD = "login"
# allauth passes `email=` to authenticate(), so axes needs this to see the username at all.
AXES_USERNAME_CALLABLE = "interlude.accounts.adapters.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
# Behind a reverse proxy every request's REMOTE_ADDR is the proxy. One rule (core.middleware.
# client_ip) picks the client's address from X-Forwarded-For for audit, axes and allauth alike;
# the ninja and allauth settings below say the same for their own fallbacks. (axes' IPWARE_*
# settings do nothing without django-ipware, which is not installed.)
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "interlude.core.middleware.client_ip"
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
NINJA_NUM_PROXIES = TRUSTED_PROXY_COUNT

# Session lifetimes (SR-07). Clinicians and practice staff: 15 minutes idle, 12 hours in all.
# Clients use a phone app between sessions, so theirs are longer; both are configurable.
STAFF_IDLE_TIMEOUT = timedelta(minutes=int(os.environ.get("STAFF_IDLE_MINUTES", "15")))
STAFF_ABSOLUTE_TIMEOUT = timedelta(hours=int(os.environ.get("STAFF_ABSOLUTE_HOURS", "12")))
CLIENT_IDLE_TIMEOUT = timedelta(days=int(os.environ.get("CLIENT_IDLE_DAYS", "7")))
CLIENT_ABSOLUTE_TIMEOUT = timedelta(days=int(os.environ.get("CLIENT_ABSOLUTE_DAYS", "30")))
SESSION_TIMEOUT_WARNING = timedelta(minutes=2)
SESSION_COOKIE_AGE = int(CLIENT_ABSOLUTE_TIMEOUT.total_seconds())
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Flash messages wait in the server-side session, never in a cookie: they can name people and
# cookies outlive the page in browser stores and proxies.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Per-user limits on API writes (core/throttling.py), "<count>/<s|min|hour|day>". Generous: the
# offline app sends everything queued while offline back to back when the connection returns.
API_WRITE_RATE_BURST = os.environ.get("API_WRITE_RATE_BURST", "120/min")
API_WRITE_RATE_SUSTAINED = os.environ.get("API_WRITE_RATE_SUSTAINED", "1500/hour")
# Readings pushed by apps and devices (POST /api/v1/observations), per person (SR-39).
API_PUSH_RATE = os.environ.get("API_PUSH_RATE", "60/min")
# A whole record as FHIR (Patient/{id}/$everything), per person and per address (SR-39).
FHIR_EVERYTHING_RATE = os.environ.get("FHIR_EVERYTHING_RATE", "30/hour")

INVITATION_LIFETIME = timedelta(days=int(os.environ.get("INVITATION_DAYS", "7")))

# --- Security headers ----------------------------------------------------------------------------
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "manifest-src": [CSP.SELF],
    "worker-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Pages hand the token to htmx and fetch() from the HTML, so scripts never need the cookie.
CSRF_COOKIE_HTTPONLY = True

if IS_PRODUCTION:
    SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "1") == "1"
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # The __Host- prefix pins cookies to this exact host over HTTPS (SR-09).
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# --- Email ---------------------------------------------------------------------------------------
if IS_PRODUCTION and not os.environ.get("EMAIL_URL", "").strip():
    # Without it mail goes to the console: crisis alerts and password resets would never leave.
    raise ImproperlyConfigured(
        "INTERLUDE_ENV=production needs EMAIL_URL (smtp://user:password@host:587 or "
        "smtps://user:password@host:465): alerts to clinicians and password resets are sent by "
        "email. See docs/deployment.md."
    )
MAILERS = mailers_from_url(os.environ.get("EMAIL_URL", ""))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Interlude <no-reply@interlude.test>")

# --- Static files --------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static" if not IS_PRODUCTION else BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "interlude" / "static"]
STORAGES: dict[str, dict[str, object]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Pre-compressing every static file (gzip and brotli, about 500 files) takes some 20 s of
# `collectstatic`: worth it once per production release, not on every fresh start of the
# embedded default, where whitenoise serves the hashed files uncompressed.
if os.environ.get("INTERLUDE_COMPRESS_STATIC", "1" if IS_PRODUCTION else "0") != "1":
    STORAGES["staticfiles"] = {
        "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
    }
WHITENOISE_USE_FINDERS = not IS_PRODUCTION
# Uploaded and generated files (Django's default storage) on S3-compatible object storage when a
# bucket is named, so several web hosts see the same files (docs/topology.md says which folders
# still need a shared disk). Objects are private; links to them are signed and short-lived.
S3_BUCKET = os.environ.get("INTERLUDE_S3_BUCKET", "").strip()
if S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": os.environ.get("INTERLUDE_S3_ENDPOINT_URL", "").strip() or None,
            "region_name": os.environ.get("INTERLUDE_S3_REGION", "").strip() or None,
            "access_key": os.environ.get("INTERLUDE_S3_ACCESS_KEY_ID", "").strip() or None,
            "secret_key": os.environ.get("INTERLUDE_S3_SECRET_ACCESS_KEY", "").strip() or None,
            "location": os.environ.get("INTERLUDE_S3_PREFIX", "").strip(),
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 300,
            "file_overwrite": False,
        },
    }

# --- Internationalisation ------------------------------------------------------------------------
LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Logging -------------------------------------------------------------------------------------
# Structured JSON lines; control characters escaped by json (SR-34). No request bodies, no PHI.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "interlude.core.logging.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django.db.backends": {"level": "WARNING"},
    },
}

# --- Interlude -----------------------------------------------------------------------------------
# Demo accounts exist only outside production; their MFA exemption is void in production.
DEMO_ENABLED = not IS_PRODUCTION
DEMO_PASSWORD = "interlude-demo"  # noqa: S105 - documented demo password, never in production  # nosec B105
LOGIN_URL_PATH = "/accounts/login/"
