"""Django settings, all from the environment so one code base serves the demo and production.

Defaults run the embedded platform: SQLite in ``$IPFUND_DATA_DIR`` (``./var``), console e-mail,
Chinese pages. ``IPFUND_PRODUCTION=1`` switches on the settings ``manage.py check --deploy`` asks
for and refuses to start without a secret key and allowed hosts.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


WEB_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("IPFUND_DATA_DIR", "var")).resolve()
PRODUCTION = _env_bool("IPFUND_PRODUCTION")
DEBUG = _env_bool("IPFUND_DEBUG", default=False)
# Every file the platform writes — uploads, exports, backups, checkpoints, the SQLite database —
# is readable by its own account only: files 0600, folders 0700 (the process's umask, set here
# because every process of the platform — web, worker, CLI — loads these settings first).
os.umask(0o077)

if PRODUCTION:
    # Fail loudly rather than run production on a development key or an open host list.
    SECRET_KEY = os.environ["IPFUND_SECRET_KEY"]
    ALLOWED_HOSTS = _env_list("IPFUND_ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise RuntimeError("IPFUND_ALLOWED_HOSTS must name the host(s) in production")
else:
    SECRET_KEY = os.environ.get(
        "IPFUND_SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production-ipfund-0000"
    )
    ALLOWED_HOSTS = _env_list("IPFUND_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")

CSRF_TRUSTED_ORIGINS = _env_list("IPFUND_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",  # serves Swagger UI for /api/docs from our own static files, not a CDN (intranets)
    "axes",
    "captcha",  # django-simple-captcha: asked for after repeated sign-in failures, never a lock
    "django_otp",
    "django_otp.plugins.otp_totp",
    "ipfund.web.accounts",
    "ipfund.web.audit",
    "ipfund.web.rounds",
    "ipfund.web.claims",
    "ipfund.web.ledger",
    "ipfund.web.review",
    "ipfund.web.notices",
    "ipfund.web.payments",
    "ipfund.web.budgets",
    "ipfund.web.allocation",
    "ipfund.web.documents",
    "ipfund.web.notifications",
    "ipfund.web.api",
    "ipfund.web.jobs",
    "ipfund.web.portal",
    "ipfund.web.pii",
    "ipfund.web.policylib",
    "ipfund.web.registers",
    "ipfund.web.sandbox",
    "ipfund.web.analysis",
    "ipfund.web.complaints",
    "ipfund.web.alliances",
    "ipfund.web.promises",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Pages are Chinese unless the visitor picks English with the language switch; the browser's
    # Accept-Language is not followed (see portal/middleware.py).
    "ipfund.web.portal.middleware.ChineseByDefaultLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # before anything reads the body (CSRF reads the form): too large is refused unread
    "ipfund.web.config.limits.RequestSizeLimitMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # idle timeout, a password an administrator set must be changed, staff second factor
    "ipfund.web.accounts.middleware.AccountHygieneMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ipfund.web.config.urls"
WSGI_APPLICATION = "ipfund.web.config.wsgi.application"

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
                "ipfund.web.portal.context.site",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------
# SQLite: IMMEDIATE transactions take the write lock at BEGIN, so two approvals cannot both read
# a cap bucket and then both write it; WAL lets readers go on meanwhile.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 30,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}

if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "ipfund.sqlite3"),
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {**SQLITE_OPTIONS, **DATABASES["default"].get("OPTIONS", {})}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # A file, not Django's shared-cache in-memory database: shared cache reports "table is
    # locked" without waiting, which would turn the concurrency tests into noise. One file per
    # process, so test runs started side by side in one checkout do not share a database.
    DATABASES["default"]["TEST"] = {"NAME": str(Path(tempfile.gettempdir()) / f"ipfund-test-{os.getpid()}.sqlite3")}
    if not os.environ.get("DATABASE_URL"):
        DATA_DIR.mkdir(parents=True, exist_ok=True)  # a fresh checkout has no ./var yet

DATABASE_IS_POSTGRES = DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql")
# PostgreSQL in production: the tables belong to an owner role that only `migrate` uses; the
# application connects as IPFUND_DB_APP_ROLE, which cannot alter tables or triggers. Every migrate
# (as the owner) grants that role its row privileges (audit/db_roles.py; README “数据库角色”).
# Production refuses to start as a superuser or a table owner unless IPFUND_DB_OWNER_ALLOWED=1.
IPFUND_DB_APP_ROLE = os.environ.get("IPFUND_DB_APP_ROLE", "")
IPFUND_DB_OWNER_ALLOWED = _env_bool("IPFUND_DB_OWNER_ALLOWED")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "ipfund.web.accounts.passwords.ChineseMinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "ipfund.web.accounts.backends.PlatformModelBackend"]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
# Login throttling: django-axes records every failed sign-in (account, client address); it never
# locks anyone out (AXES_LOCK_OUT_AT_FAILURE off). Once failures within IPFUND_LOGIN_WINDOW_SECONDS
# reach IPFUND_LOGIN_MAX_FAILURES for one account from one address, IPFUND_LOGIN_ACCOUNT_FAILURES for
# the account from anywhere, or IPFUND_LOGIN_ADDRESS_FAILURES from the address for any account, the
# sign-in form asks for a captcha (accounts/signin_guard.py): the right password with the captcha
# solved always signs in, so a stranger cannot lock a known staff name or an office's address out.
IPFUND_LOGIN_MAX_FAILURES = int(os.environ.get("IPFUND_LOGIN_MAX_FAILURES", "5"))
IPFUND_LOGIN_ACCOUNT_FAILURES = int(os.environ.get("IPFUND_LOGIN_ACCOUNT_FAILURES", "20"))
IPFUND_LOGIN_ADDRESS_FAILURES = int(os.environ.get("IPFUND_LOGIN_ADDRESS_FAILURES", "20"))
IPFUND_LOGIN_WINDOW_SECONDS = int(os.environ.get("IPFUND_LOGIN_WINDOW_SECONDS", "900"))
AXES_LOCK_OUT_AT_FAILURE = False
AXES_FAILURE_LIMIT = IPFUND_LOGIN_MAX_FAILURES
AXES_COOLOFF_TIME = timedelta(seconds=IPFUND_LOGIN_WINDOW_SECONDS)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "ipfund.web.accounts.backends.axes_username"
AXES_CLIENT_IP_CALLABLE = "ipfund.web.accounts.backends.client_address"
# The captcha: five characters drawn on an image served by our own view (no third party, no
# script); one answer per challenge, valid for five minutes.
CAPTCHA_LENGTH = 5
CAPTCHA_TIMEOUT = 5
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
# The TLS proxy's address(es) or networks (comma-separated): only a request from one of them has
# its X-Forwarded-For believed for the client address. Empty: the connection's address is used.
IPFUND_TRUSTED_PROXIES = _env_list("IPFUND_TRUSTED_PROXIES")
# A signed-in session idle this long ends (the next request goes to the sign-in page).
IPFUND_IDLE_TIMEOUT_SECONDS = int(os.environ.get("IPFUND_IDLE_TIMEOUT_SECONDS", "1800"))
# Staff (初审, 审定, 财务, 管理员) sign in with a second factor, TOTP (django-otp): enforced in
# production, and wherever IPFUND_STAFF_MFA=1. The demo and the tests run without it unless asked.
IPFUND_STAFF_MFA = _env_bool("IPFUND_STAFF_MFA", default=PRODUCTION)
OTP_TOTP_ISSUER = "肇庆高新区知识产权专项资金"
PASSWORD_RESET_TIMEOUT = int(os.environ.get("IPFUND_PASSWORD_RESET_SECONDS", str(3 * 3600)))

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if os.environ.get("IPFUND_CACHE_URL"):  # e.g. redis://127.0.0.1:6379/1: rate limits shared by every worker
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["IPFUND_CACHE_URL"]}}

# API tokens expire: IPFUND_API_TOKEN_DAYS after issue unless a shorter life is chosen, at most
# IPFUND_API_TOKEN_MAX_DAYS.
IPFUND_API_TOKEN_DAYS = int(os.environ.get("IPFUND_API_TOKEN_DAYS", "90"))
IPFUND_API_TOKEN_MAX_DAYS = int(os.environ.get("IPFUND_API_TOKEN_MAX_DAYS", "365"))

# --- language and time ----------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [WEB_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- files ----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("IPFUND_STATIC_ROOT", DATA_DIR / "static"))
# Uploaded evidence lives beside, never inside, the static root and has no public URL: it is
# served only by a view that asks the selectors first.
MEDIA_ROOT = Path(os.environ.get("IPFUND_MEDIA_ROOT", DATA_DIR / "uploads"))
MEDIA_URL = "/files/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
# Outside production static files come from the apps' folders, looked up per request.
WHITENOISE_AUTOREFRESH = not PRODUCTION
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
IPFUND_MAX_UPLOAD_BYTES = int(os.environ.get("IPFUND_MAX_UPLOAD_BYTES", str(10 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = IPFUND_MAX_UPLOAD_BYTES + 1024 * 1024
# Whole requests, refused before they are read (config/limits.py): someone not signed in sends at
# most one file and a form; a signed-in form or API call several files.
IPFUND_MAX_ANONYMOUS_REQUEST_BYTES = int(os.environ.get("IPFUND_MAX_ANONYMOUS_REQUEST_BYTES",
                                                        str(IPFUND_MAX_UPLOAD_BYTES + 1024 * 1024)))
IPFUND_MAX_REQUEST_BYTES = int(os.environ.get("IPFUND_MAX_REQUEST_BYTES", str(6 * IPFUND_MAX_UPLOAD_BYTES + 1024 * 1024)))
# Files chosen on a claim form whose save failed are kept this long for the form to be saved again.
IPFUND_STAGED_UPLOAD_HOURS = float(os.environ.get("IPFUND_STAGED_UPLOAD_HOURS", "24"))
# Generated export files (Excel, ZIP of letters) are deleted this many days after they were made.
IPFUND_EXPORT_RETENTION_DAYS = float(os.environ.get("IPFUND_EXPORT_RETENTION_DAYS", "7"))

# --- the fund -------------------------------------------------------------------------------
# Every installed policy package runs at once (built-in ones and IPFUND_POLICY_PATH's folders); each
# round, claim, award and budget names its own. This one is only the fallback where nothing names
# a policy (the demo's data, an API call without `policy`).
IPFUND_DEFAULT_POLICY = os.environ.get("IPFUND_DEFAULT_POLICY", "zhaoqing-hitech-ip-2022")
# Registers and 免申即享 (web/registers): the zone's address list (one place a line; the built-in
# registers/data/zone_addresses.txt by default) and the adapter that sends e-mail/SMS messages.
IPFUND_ZONE_ADDRESS_FILE = os.environ.get("IPFUND_ZONE_ADDRESS_FILE", "")
IPFUND_MESSENGER = os.environ.get("IPFUND_MESSENGER", "ipfund.web.notifications.adapters.LoggingMessenger")
# Bulk runs (matching, the sandbox) on Dask: a running scheduler's address (tcp://host:8786), or empty
# for a LocalCluster of IPFUND_DASK_WORKERS worker processes started for each run.
IPFUND_DASK_SCHEDULER = os.environ.get("IPFUND_DASK_SCHEDULER", "")
IPFUND_DASK_WORKERS = int(os.environ.get("IPFUND_DASK_WORKERS", "2"))
# A matching run of fewer candidate claims than this is decided in the platform's process (starting a
# cluster costs seconds); with a scheduler named, every run goes to it.
IPFUND_DASK_MIN_CLAIMS = int(os.environ.get("IPFUND_DASK_MIN_CLAIMS", "20000"))
# The only names a page shows that no policy package gives: the zone's and the bureau's.
IPFUND_ZONE_NAME = os.environ.get("IPFUND_ZONE_NAME", "肇庆高新区")
IPFUND_BUREAU_NAME = os.environ.get("IPFUND_BUREAU_NAME", "区经济贸易和科技局")
# The issuing authority as the documents (decision letters, notices, payment lists) print it above
# the seal: the full name, with the zone's.
IPFUND_ISSUING_AUTHORITY = os.environ.get("IPFUND_ISSUING_AUTHORITY", "肇庆高新区经济贸易和科技局")
# Document numbers (文号), one sequence per document kind and year: {year} and {serial} (e.g.
# {serial:03d}) fill the pattern. A JSON object in IPFUND_DOCUMENT_NUMBERS replaces these patterns.
IPFUND_DOCUMENT_NUMBERS = {
    "decision_letter": "肇高经科资决〔{year}〕{serial}号",
    "notice": "肇高经科公示〔{year}〕{serial}号",
    "payment_list": "肇高经科拨〔{year}〕{serial}号",
    "recovery_notice": "肇高经科追〔{year}〕{serial}号",
    **json.loads(os.environ.get("IPFUND_DOCUMENT_NUMBERS", "{}")),
}
# A folder of the bureau's own bank batch file templates (YAML, as exports/bank_templates/ shows).
IPFUND_BANK_TEMPLATE_DIR = os.environ.get("IPFUND_BANK_TEMPLATE_DIR", "")
# The policy store: packages uploaded and activated on the 政策库 page (searched besides IPFUND_POLICY_PATH).
IPFUND_POLICY_STORE = Path(os.environ.get("IPFUND_POLICY_STORE", DATA_DIR / "policies"))
IPFUND_POLICY_ZIP_MAX_BYTES = int(os.environ.get("IPFUND_POLICY_ZIP_MAX_BYTES", str(20 * 1024 * 1024)))  # unpacked
IPFUND_POLICY_ZIP_MAX_FILES = int(os.environ.get("IPFUND_POLICY_ZIP_MAX_FILES", "500"))
IPFUND_NOTICE_DAYS = int(os.environ.get("IPFUND_NOTICE_DAYS", "7"))

# --- background jobs ------------------------------------------------------------------------
# Production: Celery on Redis (CELERY_BROKER_URL=redis://…; run `celery -A ipfund.web.jobs.celery_app
# worker`). Without a broker the platform runs jobs on a worker thread of its own process.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
# Job leases (jobs/leases.py): a running job's worker renews its lease every third of this; a lease
# expired for want of renewal is taken over; a job is tried at most this many times; a queued job
# handed to the broker this long ago and not started is sent again.
IPFUND_JOB_LEASE_SECONDS = float(os.environ.get("IPFUND_JOB_LEASE_SECONDS", "60"))
IPFUND_JOB_MAX_ATTEMPTS = int(os.environ.get("IPFUND_JOB_MAX_ATTEMPTS", "3"))
IPFUND_JOB_RESEND_SECONDS = float(os.environ.get("IPFUND_JOB_RESEND_SECONDS", "300"))
# Production refuses to start without a broker unless this accepts the in-process worker (web/startup.py).
IPFUND_JOBS_IN_PROCESS = _env_bool("IPFUND_JOBS_IN_PROCESS")
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# Limits on anonymous work (throttle.py): objections per client address and per notice per hour,
# the length of an objection, and the public calculator API's claims per request and rate.
IPFUND_OBJECTIONS_PER_ADDRESS_PER_HOUR = int(os.environ.get("IPFUND_OBJECTIONS_PER_ADDRESS_PER_HOUR", "5"))
IPFUND_OBJECTIONS_PER_NOTICE_PER_HOUR = int(os.environ.get("IPFUND_OBJECTIONS_PER_NOTICE_PER_HOUR", "60"))
IPFUND_OBJECTION_REASON_MAX = int(os.environ.get("IPFUND_OBJECTION_REASON_MAX", "2000"))
# 二（一） analysis review: assignees are reminded this many days before the deadline (and when late).
IPFUND_ANALYSIS_REMIND_DAYS = int(os.environ.get("IPFUND_ANALYSIS_REMIND_DAYS", "3"))
# Promises and recovery (web/promises): staff are reminded of promises whose term ends within
# IPFUND_PROMISE_REMIND_DAYS; a 追回通知书 gives IPFUND_RECOVERY_DAYS to repay, into the account below.
IPFUND_PROMISE_REMIND_DAYS = int(os.environ.get("IPFUND_PROMISE_REMIND_DAYS", "30"))
IPFUND_RECOVERY_DAYS = int(os.environ.get("IPFUND_RECOVERY_DAYS", "30"))
IPFUND_RECOVERY_ACCOUNT = {
    "holder": os.environ.get("IPFUND_RECOVERY_ACCOUNT_HOLDER", "肇庆高新区经济贸易和科技局"),
    "bank": os.environ.get("IPFUND_RECOVERY_ACCOUNT_BANK", "中国工商银行肇庆高新区支行"),
    "number": os.environ.get("IPFUND_RECOVERY_ACCOUNT_NUMBER", "2016 0000 0000 0000 000"),
}
# 三 complaints and rights assistance: the public form's limits, like the objections'.
IPFUND_COMPLAINTS_PER_ADDRESS_PER_HOUR = int(os.environ.get("IPFUND_COMPLAINTS_PER_ADDRESS_PER_HOUR", "5"))
IPFUND_COMPLAINTS_PER_HOUR = int(os.environ.get("IPFUND_COMPLAINTS_PER_HOUR", "200"))
IPFUND_COMPLAINT_TEXT_MAX = int(os.environ.get("IPFUND_COMPLAINT_TEXT_MAX", "2000"))
IPFUND_COMPLAINT_LOOKUPS_PER_MINUTE = int(os.environ.get("IPFUND_COMPLAINT_LOOKUPS_PER_MINUTE", "10"))
# 二（四） alliance review: the smallest panel that may decide, and the mean score (of 100) to pass.
IPFUND_ALLIANCE_PANEL_MIN = int(os.environ.get("IPFUND_ALLIANCE_PANEL_MIN", "3"))
IPFUND_ALLIANCE_PASS_SCORE = int(os.environ.get("IPFUND_ALLIANCE_PASS_SCORE", "60"))
IPFUND_EVALUATE_MAX_CLAIMS = int(os.environ.get("IPFUND_EVALUATE_MAX_CLAIMS", "200"))
IPFUND_EVALUATE_PER_MINUTE = int(os.environ.get("IPFUND_EVALUATE_PER_MINUTE", "30"))

# --- e-mail ---------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "IPFUND_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("IPFUND_FROM_EMAIL", "ipfund@localhost")
if os.environ.get("IPFUND_EMAIL_HOST"):
    EMAIL_HOST = os.environ["IPFUND_EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("IPFUND_EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("IPFUND_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("IPFUND_EMAIL_PASSWORD", "")
    EMAIL_USE_TLS = _env_bool("IPFUND_EMAIL_TLS", True)

# --- security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 3600
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = _env_bool("IPFUND_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("IPFUND_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Content Security Policy (django-csp) on every answer: scripts only from our own static files —
# no inline script, no eval, no other origin. Inline style attributes are still allowed (a few
# templates set a width); they cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
    }
}
# Django's admin lets a superuser change anyone's password or roles outside the audit chain: it
# is not served in production (IPFUND_DJANGO_ADMIN=1 turns it on, e.g. for a one-off inspection),
# and where it is served its user pages are read-only.
IPFUND_DJANGO_ADMIN = _env_bool("IPFUND_DJANGO_ADMIN", default=not PRODUCTION)
# --- keys outside the database -------------------------------------------------------------
# Personal data (resident ID numbers, bank accounts, phones) is encrypted with Fernet keys
# (IPFUND_DATA_KEYS, comma-separated, newest first: the first encrypts, all decrypt, so a new key
# is put in front and `ipfund rekey` moves every row onto it). A separate key makes the blind
# index and the pseudonyms (IPFUND_INDEX_KEY; never rotated: the ledger keeps its pseudonyms),
# another keys the audit chain (IPFUND_AUDIT_KEY). Production refuses to start without them;
# elsewhere each is derived from the secret key, so the demo and the tests run with no setup.
IPFUND_DATA_KEYS = _env_list("IPFUND_DATA_KEYS")
IPFUND_INDEX_KEY = os.environ.get("IPFUND_INDEX_KEY", "")
IPFUND_AUDIT_KEY = os.environ.get("IPFUND_AUDIT_KEY", "")
if PRODUCTION:
    _missing = [n for n, v in (("IPFUND_DATA_KEYS", IPFUND_DATA_KEYS), ("IPFUND_INDEX_KEY", IPFUND_INDEX_KEY),
                               ("IPFUND_AUDIT_KEY", IPFUND_AUDIT_KEY)) if not v]
    if _missing:
        raise RuntimeError("生产环境必须设置密钥：" + "、".join(_missing))
else:
    from ipfund.web.pii.keys import derived_key

    IPFUND_DATA_KEYS = IPFUND_DATA_KEYS or [derived_key(SECRET_KEY, "data")]
    IPFUND_INDEX_KEY = IPFUND_INDEX_KEY or derived_key(SECRET_KEY, "index")
    IPFUND_AUDIT_KEY = IPFUND_AUDIT_KEY or derived_key(SECRET_KEY, "audit")
# The audit chain's head is copied here after each commit that appends to it (and by
# `ipfund audit checkpoint`): a directory that a database administrator cannot rewrite.
IPFUND_CHECKPOINT_DIR = Path(os.environ.get("IPFUND_CHECKPOINT_DIR", DATA_DIR / "checkpoints"))
# `audit verify` fails when the chain has events and no checkpoint (production's default).
IPFUND_CHECKPOINT_REQUIRED = _env_bool("IPFUND_CHECKPOINT_REQUIRED", default=PRODUCTION)

# --- logging --------------------------------------------------------------------------------
# Every handler passes through the masking filter so an ID number or bank account that reaches
# a log message is written masked.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_personal_data": {"()": "ipfund.web.masking.MaskingLogFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_personal_data"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("IPFUND_LOG_LEVEL", "WARNING")},
}
