"""Django settings, built from the typed configuration in :mod:`survivors_justice.config`."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url

from survivors_justice import limits
from survivors_justice.config import Environment, get_config

CONFIG = get_config()
PRODUCTION = CONFIG.env is Environment.PRODUCTION
DEVELOPMENT = CONFIG.env is Environment.DEVELOPMENT

SECRET_KEY = CONFIG.secret_key
DEBUG = CONFIG.debug and not PRODUCTION
ALLOWED_HOSTS = CONFIG.allowed_hosts
DATA_DIR = CONFIG.data_dir
VAR_DIR = CONFIG.var_dir
PACKAGE_DIR = Path(__file__).resolve().parent

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_htmx",
    "csp",
    "ninja",  # the API's OpenAPI page from its bundled static files (no CDN)
    "survivors_justice.accounts",
    "survivors_justice.audit",
    "survivors_justice.arrests",
    "survivors_justice.cases",
    "survivors_justice.screening",
    "survivors_justice.public",
    "survivors_justice.transparency",
    "survivors_justice.training",
    "survivors_justice.workspace",
    "survivors_justice.partners",
    "survivors_justice.survivors",
    "survivors_justice.courts",
    "survivors_justice.review",
]

# The review panel's quorum, among the members who vote on a case (seats: lived_experience,
# advocate, expert): at least one person with lived experience, and one advocate or expert.
PANEL_QUORUM = [
    {"seats": ["lived_experience"], "at_least": 1},
    {"seats": ["advocate", "expert"], "at_least": 1},
]

MIDDLEWARE = [
    "survivors_justice.responses.ResponseRulesMiddleware",  # HEAD, no-store, JSON API errors
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "survivors_justice.accounts.middleware.IdleSessionMiddleware",  # after: sessions save it
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "survivors_justice.accounts.middleware.SignInRequiredMiddleware",
    "survivors_justice.accounts.middleware.RefusalAuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "survivors_justice.urls"
WSGI_APPLICATION = "survivors_justice.wsgi.application"

# Form widgets are drawn with Django's own Jinja2 widget templates (the same HTML): a page with
# several forms (the case page) spends about half as long drawing them as with Django templates.
FORM_RENDERER = "django.forms.renderers.Jinja2"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "survivors_justice.accounts.context_processors.navigation",
            ],
        },
    },
]

if CONFIG.database_url:
    DATABASES = {"default": dj_database_url.parse(CONFIG.database_url, conn_max_age=60)}
else:
    CONFIG.var_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(CONFIG.sqlite_path),
            "OPTIONS": {
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
                ),
                "transaction_mode": "IMMEDIATE",
            },
        }
    }

# Input limits (survivors_justice/limits.py): request bodies and form fields.
DATA_UPLOAD_MAX_MEMORY_SIZE = limits.MAX_REQUEST_BYTES
DATA_UPLOAD_MAX_NUMBER_FIELDS = limits.MAX_FORM_FIELDS

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
if CONFIG.env is Environment.TEST:  # Argon2id still, at small costs (accounts/hashers.py)
    PASSWORD_HASHERS = ["survivors_justice.accounts.hashers.TestArgon2PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Sign-in lockout (CJIS AC-7): 5 failures within 15 minutes lock the account for
# SJ_LOCKOUT_MINUTES (0: until an administrator releases it); one source address is throttled
# across accounts after SJ_SOURCE_FAILURE_LIMIT failures in the same window (accounts.lockout).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=CONFIG.lockout_minutes) if CONFIG.lockout_minutes else None
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "survivors_justice.accounts.lockout.locked_out"
SJ_SOURCE_FAILURE_LIMIT = CONFIG.source_failure_limit
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # each failure's time: the 15-minute window counts these
AXES_HANDLER = "survivors_justice.accounts.lockout.WindowedLockoutHandler"
SJ_LOCKOUT_WINDOW_SECONDS = 15 * 60

# Every page needs a signed-in, OTP-verified user except these (accounts.middleware); a view can
# also be opened to the public with @survivors_justice.accounts.middleware.public.
LOGIN_URL = "accounts:sign_in"
LOGIN_REDIRECT_URL = "accounts:home"
SJ_OFFICE_COUNTY = CONFIG.office_county  # "Q", or "all"
SJ_INTAKE_START = CONFIG.intake_start  # date or None
SJ_PUBLIC_PATHS = ["/"]
SJ_PUBLIC_PREFIXES = [
    "/accounts/sign-in/", "/accounts/verify/", "/accounts/enrol/", "/static/", "/api/",
]
SJ_SIGN_IN_PENDING_SECONDS = 5 * 60  # time allowed between the password and the one-time code
OTP_TOTP_ISSUER = "Survivor's Justice"

SESSION_COOKIE_AGE = CONFIG.session_idle_seconds
# The idle deadline moves on with a request at most once a minute (accounts.middleware.
# IdleSessionMiddleware), not with every request: one write of the session row fewer per page.
SESSION_SAVE_EVERY_REQUEST = False
SJ_SESSION_REFRESH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Strict"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Strict"
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
# HSTS in production only (development and tests serve plain HTTP on localhost). The office's
# host and its own subdomains; never on the preload list unless SJ_HSTS_PRELOAD says so.
SECURE_HSTS_SECONDS = CONFIG.hsts_seconds if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = CONFIG.hsts_include_subdomains
SECURE_HSTS_PRELOAD = CONFIG.hsts_preload
if CONFIG.proxy_https_header:  # behind a TLS-terminating proxy that sets e.g. X-Forwarded-Proto
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + CONFIG.proxy_https_header.upper().replace("-", "_"), "https"
    )
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "America/New_York"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = CONFIG.var_dir / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"] + [
    p for p in [CONFIG.var_dir / "vendor"] if p.exists()
]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns (an error in tests) if missing
# In development, serve straight from the app and vendor folders (no collectstatic needed). Not in
# tests: whitenoise would scan the ~2,500 USWDS files for every test client (the live server of
# the browser tests serves static files itself).
WHITENOISE_USE_FINDERS = DEVELOPMENT

# Error pages and reports never show posted values or local text (personal data).
DEFAULT_EXCEPTION_REPORTER_FILTER = "survivors_justice.fields.PersonalDataExceptionFilter"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# The lockout is per account (CJIS: lock the account after 5 failures), which is what W006 warns of;
# address-based throttling would lock out a whole office behind one NAT address.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
