"""Settings for the self-assessment service, read from environment variables.

DEBUG is off unless it is set: development mode is chosen explicitly (``make run`` and the tests
set DEBUG=true). Every other variable has a safe default, except SECRET_KEY, which is required
once DEBUG is off. A bad value stops start-up with a message naming the variable (see ``env_*`` below).
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
import dj_email_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false (1/0, yes/no, on/off), not {raw!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "development-only-secret-key-do-not-use-in-production-0123456789"  # noqa: S105
elif not DEBUG and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters long when DEBUG is off")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
for _origin in CSRF_TRUSTED_ORIGINS:
    if not _origin.startswith(("http://", "https://")):
        raise ImproperlyConfigured(
            f"CSRF_TRUSTED_ORIGINS entries must start with http:// or https://, not {_origin!r}"
        )

# seed_demo's accounts share a published password: only in development unless asked for.
DEMO_DATA = env_bool("DEMO_DATA", DEBUG)

SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SERVICE_NAME = "Assess your partnership's response to child sexual exploitation"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_forms_gds",
    "django_htmx",
    "simple_history",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "assessment",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "assessment.middleware.PrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "assessment.middleware.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "assessment.middleware.TwoFactorRequiredMiddleware",
]

ROOT_URLCONF = "assessment.urls"
WSGI_APPLICATION = "assessment.wsgi.application"

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
                "csp.context_processors.nonce",
                "assessment.context_processors.service",
            ],
        },
    },
]

# Databases: SQLite by default (IMMEDIATE transactions so that two writers queue instead of
# failing with "database is locked" half-way through), PostgreSQL through DATABASE_URL.
_default_db = f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
try:
    DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_db))}
except Exception as exc:  # dj-database-url raises several types for a malformed URL
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None
DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 0 if DEBUG else 60)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Tests use a file, not memory: the browser tests' live server answers from other threads,
    # each of which needs its own connection to the same database.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / ".test-db.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "assessment.User"

# The cache is shared by every process (login throttling and rate limits must see all
# attempts, a report being prepared is known to every web server), so the default is the
# database; CACHE_URL may point at Redis instead (redis://host:6379/0, rediss:// for TLS, with
# a password as redis://:password@host:6379/0). locmem:// keeps the cache inside one process:
# development only, since a second process would neither see its throttling nor its reports.


def env_cache(name: str, *, debug: bool) -> dict[str, str]:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "django_cache",
        }
    if raw == "locmem://":
        if not debug:
            raise ImproperlyConfigured(
                f"{name}=locmem:// keeps the cache in one process: use Redis or the database "
                "(leave it unset) when DEBUG is off"
            )
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    url = urlsplit(raw)
    try:
        port = url.port  # raises on a port that is not a number from 0 to 65535
    except ValueError:
        port = -1
    database = url.path.strip("/")
    if (
        url.scheme not in ("redis", "rediss")
        or not url.hostname
        or port == -1
        or (database and not database.isdigit())
        or url.fragment
    ):
        shown = raw.replace(url.password, "***") if url.password else raw  # not in the logs
        raise ImproperlyConfigured(
            f"{name} must be redis://host:port/db, rediss://… or locmem://, not {shown!r}"
        )
    return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": raw}


CACHES = {"default": env_cache("CACHE_URL", debug=DEBUG)}

# Background tasks through Django's tasks framework (the django-tasks backport of Django 6's).
# The code only uses its API (@task, .enqueue()), so the backend is configuration: the database
# by default, which needs nothing beyond the database itself (workers: `manage.py db_worker`).
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",  # runs in the request
    "rq": "django_tasks_rq.RQBackend",  # needs django-tasks-rq and django-rq installed
}
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "database")
if TASKS_BACKEND in _TASK_BACKENDS:
    _task_backend = _TASK_BACKENDS[TASKS_BACKEND]
elif "." in TASKS_BACKEND:
    _task_backend = TASKS_BACKEND  # a backend's dotted path, e.g. Django 6's built-in ones
else:
    raise ImproperlyConfigured(
        f"TASKS_BACKEND must be one of {', '.join(_TASK_BACKENDS)} or a backend's dotted path, "
        f"not {TASKS_BACKEND!r}"
    )
TASKS = {"default": {"BACKEND": _task_backend, "QUEUES": ["default"]}}
if TASKS_BACKEND == "rq":
    _rq_url = os.environ.get("RQ_URL", "")
    if not _rq_url.startswith(("redis://", "rediss://")):
        raise ImproperlyConfigured("RQ_URL must be a redis://… URL when TASKS_BACKEND is rq")
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {"default": {"URL": _rq_url}}

# The pauses the pages wait for, in the browser: autosave after a choice and after the last
# keystroke, and how often a "being prepared" page checks for its file. The browser tests
# shorten them (tests/browser/conftest.py), since they wait for the save or the file, not the clock.
AUTOSAVE_AFTER_CHOICE_MS = 800
AUTOSAVE_AFTER_TYPING_MS = 3000
REPORT_REFRESH_SECONDS = 5

# Email: console in development, EMAIL_URL (smtp://user:password@host:587/?tls=True) otherwise.
_email_url = os.environ.get("EMAIL_URL", "")
if _email_url:
    _scheme = _email_url.partition("://")[0]
    if _scheme not in dj_email_url.SCHEMES:
        raise ImproperlyConfigured(
            f"EMAIL_URL is not a valid email URL: the scheme must be one of "
            f"{', '.join(sorted(dj_email_url.SCHEMES))}, not {_scheme!r}"
        )
    _email = dj_email_url.parse(_email_url)
    EMAIL_BACKEND = dj_email_url.SCHEMES[_scheme]
    EMAIL_HOST = _email["EMAIL_HOST"]
    EMAIL_PORT = _email["EMAIL_PORT"]
    EMAIL_HOST_USER = _email["EMAIL_HOST_USER"]
    EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"]
    EMAIL_USE_TLS = _email["EMAIL_USE_TLS"]
    EMAIL_USE_SSL = _email["EMAIL_USE_SSL"]
    EMAIL_FILE_PATH = _email["EMAIL_FILE_PATH"]
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@localhost")
# Where feedback and accessibility requests go (the phase banner, the accessibility statement).
SUPPORT_EMAIL = os.environ.get("SUPPORT_EMAIL", "support@localhost")

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        # Django's default looks at first_name and last_name, which our User does not have.
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ["email", "name"]},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# Accounts (django-allauth). People join by invitation only, so sign-up is closed in the adapter.
ACCOUNT_ADAPTER = "assessment.accounts.AccountAdapter"
# allauth's forms with GOV.UK wording: no placeholders, sentence-case labels, helpful errors.
ACCOUNT_FORMS = {
    "login": "assessment.accounts.LoginForm",
    "reauthenticate": "assessment.accounts.ReauthenticateForm",
    "change_password": "assessment.accounts.ChangePasswordForm",
    "set_password": "assessment.accounts.SetPasswordForm",
    "reset_password": "assessment.accounts.ResetPasswordForm",
    "reset_password_from_key": "assessment.accounts.ResetPasswordKeyForm",
}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False  # never email addresses that have no account
ACCOUNT_RATE_LIMITS = {
    # Five failed logins for one account in five minutes, or 20 from one address in a minute.
    "login_failed": "20/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Partnership self-assessment"
MFA_FORMS = {
    "activate_totp": "assessment.accounts.ActivateTOTPForm",
    "authenticate": "assessment.accounts.AuthenticateForm",
    "reauthenticate": "assessment.accounts.MFAReauthenticateForm",
}
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Each backend with its options (the evidence store's S3 options mix text and flags).
STORAGES: dict[str, dict[str, object]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

# Evidence files: the file system under MEDIA_ROOT by default, or any S3-compatible store
# (django-storages, with boto3 installed). They are never served by URL: a view checks access
# and sends each one as an attachment. Nothing in urls.py or whitenoise serves MEDIA_ROOT.
EVIDENCE_STORAGE = os.environ.get("EVIDENCE_STORAGE", "filesystem").strip().lower()
if EVIDENCE_STORAGE == "filesystem":
    # No location: FileSystemStorage then follows MEDIA_ROOT (also when a test changes it).
    STORAGES["evidence"] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif EVIDENCE_STORAGE == "s3":
    _bucket = os.environ.get("AWS_STORAGE_BUCKET_NAME", "").strip()
    if not _bucket:
        raise ImproperlyConfigured(
            "AWS_STORAGE_BUCKET_NAME must be set when EVIDENCE_STORAGE is s3"
        )
    _endpoint = os.environ.get("AWS_S3_ENDPOINT_URL", "").strip()
    if _endpoint and not _endpoint.startswith(("https://", "http://")):
        raise ImproperlyConfigured(
            f"AWS_S3_ENDPOINT_URL must start with https:// or http://, not {_endpoint!r}"
        )
    _s3_options = {
        "bucket_name": _bucket,
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": False,
        "location": os.environ.get("AWS_LOCATION", "").strip(),
    }
    for _option, _variable in (
        ("endpoint_url", "AWS_S3_ENDPOINT_URL"),
        ("region_name", "AWS_S3_REGION_NAME"),
        ("access_key", "AWS_ACCESS_KEY_ID"),
        ("secret_key", "AWS_SECRET_ACCESS_KEY"),
    ):
        if os.environ.get(_variable, "").strip():
            _s3_options[_option] = os.environ[_variable].strip()
    STORAGES["evidence"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": _s3_options}
else:
    raise ImproperlyConfigured(
        f"EVIDENCE_STORAGE must be filesystem or s3, not {EVIDENCE_STORAGE!r}"
    )
EVIDENCE_MAX_MB = env_int("EVIDENCE_MAX_MB", 20)
if not 1 <= EVIDENCE_MAX_MB <= 1024:
    raise ImproperlyConfigured(
        f"EVIDENCE_MAX_MB must be a whole number from 1 to 1024, not {EVIDENCE_MAX_MB!r}"
    )

# Security headers. The CSP is strict: scripts only from us with a nonce, styles only from us.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
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
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 8  # a working day, however active
# Signed out after this long without a request (a screen left unlocked).
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_MINUTES", 30) * 60
# Comments on one question, theme or action: a bound on what one page draws and stores.
COMMENTS_PER_ITEM = env_int("COMMENTS_PER_ITEM", 200)
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Trust a proxy's word that the request came over HTTPS only when told which header it
    # sets: without a proxy that always sets it, anyone could send the header themselves.
    _proxy_header = os.environ.get("PROXY_SSL_HEADER", "").strip()
    if _proxy_header:
        SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_header.upper().replace("-", "_"), "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "weasyprint": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
