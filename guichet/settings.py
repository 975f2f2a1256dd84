"""Guichet settings: one file, read from the environment (see .env.example).

With no variable at all, Guichet runs on an embedded SQLite database with console e-mail,
which is what `make run` needs on a fresh machine. `DATABASE_URL` selects PostgreSQL.
"""

import os
import tempfile
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from guichet.env import env_bool, env_ip_networks, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("GUICHET_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", "")
# A production deployment sets this: then SECRET_KEY and GUICHET_FIELD_KEYS must be set.
GUICHET_REQUIRE_SECRET_KEY = env_bool("GUICHET_REQUIRE_SECRET_KEY", False)
# Fernet keys for the encrypted identifiers, current key first (see guichet/crypto.py).
GUICHET_FIELD_KEYS = env_list("GUICHET_FIELD_KEYS", [])
# The HMAC key that seals the access log's chain (guichet/audit/chain.py); never changed once
# rows are sealed with it.
GUICHET_ACCESS_LOG_KEY = env_str("GUICHET_ACCESS_LOG_KEY", "")
if not SECRET_KEY:
    if not DEBUG and GUICHET_REQUIRE_SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY must be set in production")
    # Embedded default only: a deployment sets SECRET_KEY (and GUICHET_REQUIRE_SECRET_KEY=true).
    SECRET_KEY = "guichet-embedded-default-not-for-production"  # noqa: S105
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "ninja",
    "guichet.accounts",
    # The access log every app writes to, and the database's guard of the histories.
    "guichet.audit",
    "django_tasks",
    "django_tasks_db",
    "guichet.catalogue",
    "guichet.calendars",
    "guichet.dossiers",
    "guichet.mandates",
    "guichet.complaints",
    "guichet.surveys",
    "guichet.referrals",
    "guichet.appointments",
    "guichet.contact",
    "guichet.reports",
    "guichet.privacy",
    # Last: the demo may import every app above, and none imports it (docs/demo.md).
    "guichet.demo",
]

MIDDLEWARE = [
    # First: times every request, logs it in one line without anything personal, and answers
    # /sante/vivant, /sante/pret and /metrics before the host check (guichet/observability.py).
    "guichet.observability.ObservabilityMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Permissions-Policy on every response; no-store on those that can show personal
    # information (guichet/headers.py).
    "guichet.headers.HeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Saves an active session once a minute, not on every request (idle timeout).
    "guichet.accounts.session_refresh.SessionRefreshMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "guichet.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # In place of Django's LocaleMiddleware: French, or a client's language of service on a
    # recorded basis, or a visitor's choice for public pages (guichet/accounts/language.py).
    "guichet.accounts.middleware.LanguageMiddleware",
    # "Erreur : " at the start of the title of a page with an error summary (GOV.UK's pattern),
    # in the page's language: after LanguageMiddleware, so that it runs while it is active.
    "guichet.error_title.ErrorTitleMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Remembers the request's path for the access log (guichet/audit/middleware.py).
    "guichet.audit.middleware.RequestPathMiddleware",
    # Last, as django-axes requires: it answers locked-out log-ins.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading with the account what the middleware asks of it.
    "guichet.accounts.backends.AccountBackend",
]
# Repeated failed log-ins lock the account for a while (django-axes); never an address alone,
# which many people may share. The account counts its failures from every address; the pair
# (account, address) is listed too, as axes' check W006 asks, but under the same limit its
# failures are a part of the account's and it never locks first. An address that fails on many
# accounts is slowed down instead, not locked (guichet/accounts/throttle.py).
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username"], ["username", "ip_address"]]
# Where axes finds the account: our forms call authenticate(username=...). Axes' default, the
# user model's USERNAME_FIELD ("email"), is not in those credentials: every failure was recorded
# without an account, so no account ever locked, only an address; and the failures of everyone
# added up, so past five in 15 minutes anywhere every wrong password showed the locked page.
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
# Axes would also keep every successful log-in (e-mail, address, browser) for ever, outside
# the retention schedule: Guichet's own access log records log-ins (docs/privacy.md).
AXES_DISABLE_ACCESS_LOG = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Axes would log the address and the IP of every failure: nothing personal in logs.
AXES_CLIENT_STR_CALLABLE = "guichet.accounts.lockout.client_str"
# Axes, the throttle and anything else that needs the client's address read it in one place.
AXES_CLIENT_IP_CALLABLE = "guichet.accounts.client_address.client_address"
# The reverse proxies whose X-Forwarded-For is believed (addresses or CIDR ranges); none by
# default: the client is then the connection's peer (guichet/accounts/client_address.py).
GUICHET_TRUSTED_PROXIES = env_ip_networks("GUICHET_TRUSTED_PROXIES")

# Staff (unit members, global roles, Django staff) must use a second factor (TOTP). Only the
# test suite turns this off, for the many tests that log staff in with Client.login().
GUICHET_STAFF_MFA_REQUIRED = env_bool("GUICHET_STAFF_MFA_REQUIRED", True)
# A password-reset link is valid for one day (Django's default is three).
PASSWORD_RESET_TIMEOUT = 24 * 60 * 60

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Sessions end after 30 minutes without activity, and with the browser.
SESSION_COOKIE_AGE = int(env_str("SESSION_COOKIE_AGE", "1800"))
# Saved again once a minute by guichet/accounts/session_refresh.py, not on every request.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

AUTH_USER_MODEL = "accounts.User"
# Content Security Policy: everything comes from this site, nothing inline, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"

# Served over HTTPS (always in production): secure cookies, HSTS, redirect to https.
GUICHET_HTTPS = env_bool("GUICHET_HTTPS", GUICHET_REQUIRE_SECRET_KEY)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = GUICHET_HTTPS
SECURE_SSL_REDIRECT = GUICHET_HTTPS
SECURE_HSTS_SECONDS = 31536000 if GUICHET_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = GUICHET_HTTPS
# Ask browsers to know the site as HTTPS-only before the first visit (the preload list); a
# deployment whose domain is not ready for it sets GUICHET_HSTS_PRELOAD=false.
SECURE_HSTS_PRELOAD = env_bool("GUICHET_HSTS_PRELOAD", GUICHET_HTTPS)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if GUICHET_HTTPS else None
SECURE_REFERRER_POLICY = "same-origin"
CSRF_COOKIE_HTTPONLY = True

ROOT_URLCONF = "guichet.urls"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "after_login"
LOGOUT_REDIRECT_URL = "catalogue:home"
WSGI_APPLICATION = "guichet.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "guichet" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # Which links of the main navigation a person gets, in one query.
                "guichet.navigation.navigation",
                # How old the replica's data is, on the pages read from it.
                "guichet.replica.replica_context",
            ],
        },
    },
]

_DEFAULT_DB = f"sqlite:///{VAR_DIR / 'guichet.sqlite3'}"
if "DATABASE_URL" not in os.environ:
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # the embedded database needs its folder

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", _DEFAULT_DB),
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Parameters bound by the server, and each statement prepared on its fifth use in a
    # connection: PostgreSQL then plans the pages' and the API's statements once instead of
    # on every request (its CPU per API call: 0.9 -> 0.3 ms; docs/bench.md). Not for a pooler
    # in transaction mode (PgBouncer), which cannot keep a connection's prepared statements.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=5
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Take the write lock when a transaction starts, so that two actions on one dossier
    # queue up instead of failing halfway (the second then sees the new version).
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
    DATABASES["default"]["OPTIONS"]["timeout"] = 20
    # Tests use a file, not shared memory, so that two connections wait for each other's
    # lock as in production instead of failing at once ("database table is locked").
    # One file per test process, so that parallel runs do not share it.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"guichet-test-{os.getpid()}.sqlite3")
    }
# A read replica (a PostgreSQL streaming standby) for the dashboard, the annual report and
# its files (guichet/replica.py). Reads that must see one's own writes stay on the primary.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=60)
    if DATABASES["replica"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URL must be a PostgreSQL URL")
    DATABASES["replica"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=5
    )
    # The tests read the primary through it (there is no standby in a test run).
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["guichet.replica.ReplicaRouter"] if DATABASE_REPLICA_URL else []
# The worklist's covering index includes extra columns on PostgreSQL; SQLite simply ignores
# them, which is what we want there.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
if GUICHET_HTTPS and not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS.append("security.W021")  # preload declined on purpose
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# French is the language of the administration; English and Spanish are offered in addition
# to French only on a recorded basis (see DOMAIN.md, "Language of service").
LANGUAGE_CODE = "fr-ca"
LANGUAGES = [("fr", "Français"), ("en", "English"), ("es", "Español")]
TIME_ZONE = "America/Toronto"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "guichet" / "locale"]
# "March 12, 2027" in English; French and Spanish keep Django's formats (docs/languages.md).
FORMAT_MODULE_PATH = ["guichet.formats"]

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "guichet" / "static"]

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# For EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend (make faults counts them).
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env_str("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Guichet <ne-pas-repondre@guichet.example>")

# Background work: django-tasks with its database backend; `guichet db_worker` runs it.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

MEDIA_ROOT = Path(env_str("GUICHET_MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"  # never served directly: documents and letters go through access checks
# Uploads: the first handler refuses a body over 50 Mo before reading it and stops a file at
# 10 Mo (guichet/dossiers/uploads.py); files over 2 Mo go to a temporary file, not memory.
FILE_UPLOAD_HANDLERS = [
    "guichet.dossiers.uploads.UploadLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Everything but files (form fields, the API's JSON bodies): Django's default, 2.5 Mo.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Public address of the portal, for links in e-mails (guichet/public_url.py). Unset: a system
# check warns at start and links follow the request's address. GUICHET_BASE_URL is its
# former name, still read.
GUICHET_PUBLIC_URL = env_str("GUICHET_PUBLIC_URL", env_str("GUICHET_BASE_URL", ""))
# A running clock is at risk when no more than this share of its target is left.
GUICHET_AT_RISK_PERCENT = int(env_str("GUICHET_AT_RISK_PERCENT", "20"))
# The share of decided dossiers whose client (if they agreed) is invited to the satisfaction
# survey (guichet surveys-sample, docs/complaints.md).
GUICHET_SURVEY_SAMPLE_PERCENT = int(env_str("GUICHET_SURVEY_SAMPLE_PERCENT", "25"))
# Contact centre (docs/contact.md): the telephony logs read by `guichet telephone import` with
# no file (a systemd timer), each "PATH" (Asterisk queue_log) or "csv:PATH".
# E-mail enquiries: the address answers are sent from, and the mailbox read over IMAP by
# `guichet email fetch` (a timer); no host, no reading.
GUICHET_CONTACT_FROM = env_str("GUICHET_CONTACT_FROM", "renseignements@guichet.example")
GUICHET_IMAP_HOST = env_str("GUICHET_IMAP_HOST", "")
GUICHET_IMAP_PORT = int(env_str("GUICHET_IMAP_PORT", "993"))
GUICHET_IMAP_SSL = env_bool("GUICHET_IMAP_SSL", True)
GUICHET_IMAP_USER = env_str("GUICHET_IMAP_USER", "")
GUICHET_IMAP_PASSWORD = env_str("GUICHET_IMAP_PASSWORD", "")
GUICHET_IMAP_FOLDER = env_str("GUICHET_IMAP_FOLDER", "INBOX")
# The voice-mail store read by `guichet voicemail import` with no folder (Asterisk's spool).
GUICHET_VOICEMAIL_DIR = env_str("GUICHET_VOICEMAIL_DIR", "")
GUICHET_TELEPHONY_LOGS = [
    (item[4:], "csv") if item.startswith("csv:") else (item, "asterisk")
    for item in env_list("GUICHET_TELEPHONY_LOGS", [])
]

# Where the versioned reference data lives (see declarations/ and calendars/).
GUICHET_DECLARATIONS_DIR = BASE_DIR / "declarations"
GUICHET_CALENDARS_DIR = BASE_DIR / "calendars"
# Used as is until a calendar is recorded in the database (guichet load-calendar).
GUICHET_CALENDAR_FILE = GUICHET_CALENDARS_DIR / "quebec.toml"
# The directory of partner organizations (guichet load-partners).
GUICHET_PARTNERS_FILE = BASE_DIR / "partners" / "partners.toml"
# How long each kind of personal information is kept (guichet purge, docs/privacy.md).
GUICHET_RETENTION_FILE = BASE_DIR / "privacy" / "retention.toml"

# Health and metrics (guichet/observability.py, docs/deployment.md). /metrics answers a request
# with `Authorization: Bearer <token>` or from one of the addresses; neither set: nobody.
GUICHET_METRICS_TOKEN = env_str("GUICHET_METRICS_TOKEN", "")
GUICHET_METRICS_ALLOWED_IPS = env_ip_networks("GUICHET_METRICS_ALLOWED_IPS")
# /sante/pret answers 503 when the oldest task waiting for the worker is older than this.
GUICHET_READY_MAX_QUEUE_AGE = int(env_str("GUICHET_READY_MAX_QUEUE_AGE", "300"))
# Logs: "json" (one object a line, the default in production) or "text".
GUICHET_LOG_FORMAT = env_str("GUICHET_LOG_FORMAT", "") or (
    "json" if GUICHET_REQUIRE_SECRET_KEY else "text"
)
if GUICHET_LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured("GUICHET_LOG_FORMAT must be json or text")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "guichet.observability.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            **({"formatter": "json"} if GUICHET_LOG_FORMAT == "json" else {}),
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # WeasyPrint narrates every step of every PDF at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # pypdf warns about every flaw of every uploaded PDF it reads.
        "pypdf": {"level": "ERROR"},
        # One line per request (guichet/observability.py); in text mode, only from WARNING.
        "guichet.request": {"level": "INFO" if GUICHET_LOG_FORMAT == "json" else "WARNING"},
    },
}
