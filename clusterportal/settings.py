"""Settings for clusterportal: one code path, every difference between machines comes
from environment variables (see README, "Configuration").

Without any variable set, the portal runs on its *embedded default*: SQLite under var/,
a Celery broker on the local disk, e-mail written to files under var/mail. With
DJANGO_ENV=production it refuses to start without a real secret and turns on every
transport-security setting that `manage.py check --deploy` asks for.
"""

from pathlib import Path

import environ
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from clusterportal.identity.config import providers_from_env

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A .env file is a convenience for local runs; real deployments set the environment.
env.read_env(BASE_DIR / ".env", overwrite=False)

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
PRODUCTION = DJANGO_ENV == "production"

VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))
# Folders this process writes to on the local disk. Settings only name them; they are
# created when the apps are ready (clusterportal.apps), so importing settings writes nothing.
LOCAL_DIRECTORIES = [VAR_DIR]

if PRODUCTION:
    # No default: a production process without its own secret must not start.
    SECRET_KEY = env.str("SECRET_KEY")
    if len(SECRET_KEY) < 50 or "insecure" in SECRET_KEY:
        raise environ.ImproperlyConfigured("SECRET_KEY must be a random string of at least 50 characters in production.")
else:
    SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-development-only-key-not-for-production")

DEBUG = env.bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",
    "clusterportal",
    "clusterportal.identity",
    "intake",
    "reviews",
]

MIDDLEWARE = [
    # First: the instant a request reached the portal is what a deadline is judged by.
    "clusterportal.arrival.ArrivalMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "clusterportal.permissions_policy.PermissionsPolicyMiddleware",
    # Static files from the application process, compressed and cache-busted, so that a
    # gunicorn container needs no separate static file server.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "clusterportal.urls"
WSGI_APPLICATION = "clusterportal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "clusterportal.context_processors.portal",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Persistent connections: opening a PostgreSQL connection per request costs about
    # 5x in throughput on a 2-core machine; health checks drop connections that died.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    # SQLite: wait for a writer instead of failing at once, so the worker and the web
    # process of the embedded default can share one file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery -------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    # Sessions are read from Redis (written through to the database, so a Redis restart
    # signs nobody out): one database query less on every signed-in request. Only with a
    # cache all processes share; a per-process cache would keep a signed-out session alive.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    # Embedded default: a file-system cache shared by web and worker processes, and a
    # real broker on the local disk (kombu's filesystem transport) so that a real worker
    # and a real beat run without any server installed.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(VAR_DIR / "cache")}}
    CELERY_BROKER_DIR = Path(env.str("CELERY_BROKER_DIR", default=str(VAR_DIR / "broker")))
    LOCAL_DIRECTORIES += [CELERY_BROKER_DIR / sub for sub in ("queue", "processed", "control", "results")]
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
        # How often an idle worker looks for new files: the receipt link should appear
        # within a second of a submission, and a directory listing costs next to nothing.
        "polling_interval": 0.2,
    }
    CELERY_RESULT_BACKEND = f"file://{CELERY_BROKER_DIR / 'results'}"

# Anonymous visitors' home and call pages are served from a copy kept this many seconds at
# most (intake.web.public_cache). Both caches above are shared by all processes, which the
# kept copies need: a changed call must be seen as changed by every process.
PUBLIC_PAGE_CACHE_SECONDS = env.int("PUBLIC_PAGE_CACHE_SECONDS", default=30)

CELERY_TIMEZONE = "UTC"  # beat intervals in UTC: local-time schedules misfire around DST
CELERY_ENABLE_UTC = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_RESULT_EXPIRES = 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Receipts and e-mails wait in different queues, so that a slow mail relay never holds a
# worker slot a receipt is waiting for: compose runs a `mailer` for the mail queue beside
# the render workers; `make run`'s one worker, the tests' and the benchmarks' take both.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_MAIL_QUEUE = "mail"
CELERY_TASK_ROUTES = {"intake.outbox_send": {"queue": CELERY_MAIL_QUEUE}}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Static schedule, a plain interval in UTC: crontab schedules in a local zone misfire
# around DST changes. Exactly one beat process runs in every deployment.
REMINDER_SWEEP_SECONDS = env.int("REMINDER_SWEEP_SECONDS", default=300)
CELERY_BEAT_SCHEDULE = {
    "reminders-sweep": {"task": "intake.reminders_sweep", "schedule": float(REMINDER_SWEEP_SECONDS)},
    # Receipts and e-mails recorded while the broker was unreachable are queued again.
    "redispatch-stuck": {"task": "intake.redispatch_stuck", "schedule": 300.0},
}
# KBO Open Data (the company register, issue 14): extracts dropped in this folder are loaded
# by beat; unset, the drop folder is off (`manage.py kbo_import` still works by hand).
KBO_DROP_DIR = env.str("KBO_DROP_DIR", default="")
if KBO_DROP_DIR:
    CELERY_BEAT_SCHEDULE["registry-drops"] = {
        "task": "intake.registry_apply_drops",
        "schedule": float(env.int("KBO_DROP_SECONDS", default=3600)),
    }
# First retry of a failed SMTP batch after this many seconds, doubling each time.
OUTBOX_RETRY_BASE_SECONDS = env.int("OUTBOX_RETRY_BASE_SECONDS", default=30)

# --- Accounts (django-allauth) ------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[clusterportal] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
# Login throttling (allauth's own rate limits, kept in the cache).
ACCOUNT_RATE_LIMITS = {"login_failed": "5/5m/ip,5/5m/key", "signup": "20/h/ip", "reset_password": "10/h/ip"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "clusterportal"
# A code is accepted in its own 30 s period and one either side (RFC 6238 §5.2's allowance for
# transmission delay and clock drift): with allauth's default of none, a code typed in a
# period's last second was refused once the request arrived in the next one. A used code is
# still refused for the whole window.
MFA_TOTP_TOLERANCE = 1
LOGIN_REDIRECT_URL = "/"
LOGIN_URL = "account_login"
ACCOUNT_ADAPTER = "clusterportal.identity.adapters.AccountAdapter"
ACCOUNT_USER_DISPLAY = "clusterportal.identity.adapters.user_display"

# --- Identity providers (OpenID Connect; clusterportal.identity) ---------------------------
# None by default: the embedded default signs in with e-mail and password only. Each
# provider named in OIDC_PROVIDERS is read from OIDC_<ID>_* (clusterportal/identity/config.py,
# docs/deployment.md). allauth runs the protocol with PKCE; the portal adds the nonce and
# always checks the ID token's signature (identity.views).
IDENTITY_PROVIDERS = providers_from_env(env)
SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"OAUTH_PKCE_ENABLED": True, "APPS": [p.allauth_app() for p in IDENTITY_PROVIDERS]}}
# A login through a provider completes when its callback arrives: no extra form, and the
# e-mail address comes from the provider. An existing password account with the same
# address is never taken over by a provider's say-so (allauth's EMAIL_AUTHENTICATION stays
# off): its owner connects the provider from the account page.
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False
# PASSWORD_ACCOUNTS=False: applicants and staff sign in through a provider only; no sign-up
# form, and a password login only for a superuser (a way in when a provider is down).
# (allauth's SOCIALACCOUNT_ONLY cannot be used: it refuses to run beside allauth.mfa.)
PASSWORD_ACCOUNTS = env.bool("PASSWORD_ACCOUNTS", default=True)
if not PASSWORD_ACCOUNTS and not IDENTITY_PROVIDERS:
    raise environ.ImproperlyConfigured("PASSWORD_ACCOUNTS=False needs at least one provider in OIDC_PROVIDERS.")
SOCIALACCOUNT_ADAPTER = "clusterportal.identity.adapters.SocialAccountAdapter"

# --- Language and time --------------------------------------------------------------------
LANGUAGE_CODE = "nl-be"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Brussels"
USE_TZ = True

# --- Static and private files -----------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
LOCAL_DIRECTORIES.append(STATIC_ROOT)  # WhiteNoise warns about a missing one
STATICFILES_DIRS = [BASE_DIR / "static"]
# Outside production, serve straight from the apps' static folders (no collectstatic),
# also when DEBUG is off, as in the test suite's live server.
WHITENOISE_USE_FINDERS = not PRODUCTION
# Uploads and receipts are private: never under a public URL, only served through views
# that check rights.
PRIVATE_STORAGE_ROOT = Path(env.str("PRIVATE_STORAGE_ROOT", default=str(VAR_DIR / "private")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": PRIVATE_STORAGE_ROOT}},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Spreadsheet uploads (XLSX, ODS) are ZIP archives: intake.rules.files checks these bounds
# on the archive's directory before a byte of it is decompressed. A budget workbook has a
# few dozen parts of at most a few MB that deflate 5-20 times; a ZIP bomb (20 KB that
# unpacks to 20 MB, or 20,000 empty entries) is far outside them.
# Evidence of a claim on an organisation (a mandate, the articles of association): PDF.
ORGANISATION_EVIDENCE_MAX_MB = env.int("ORGANISATION_EVIDENCE_MAX_MB", default=10)
UPLOAD_ARCHIVE_MAX_ENTRIES = env.int("UPLOAD_ARCHIVE_MAX_ENTRIES", default=1000)
UPLOAD_ARCHIVE_MAX_UNCOMPRESSED_MB = env.int("UPLOAD_ARCHIVE_MAX_UNCOMPRESSED_MB", default=50)
UPLOAD_ARCHIVE_MAX_RATIO = env.int("UPLOAD_ARCHIVE_MAX_RATIO", default=100)

# --- E-mail ---------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="clusterportal <noreply@clusterportal.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL


# Django 6.1 "mailers": EMAIL_URL in django-environ's syntax (smtp://, smtp+tls://,
# smtp+ssl://, consolemail://, filemail://) becomes the default mailer.
def _mailer_from_url(url: str) -> dict:
    config = environ.Env.email_url_config(url)
    backend = config["EMAIL_BACKEND"]
    if backend.endswith("smtp.EmailBackend"):
        options = {
            "host": config.get("EMAIL_HOST") or "localhost",
            "port": config.get("EMAIL_PORT") or None,
            "username": config.get("EMAIL_HOST_USER") or "",
            "password": config.get("EMAIL_HOST_PASSWORD") or "",
            "use_tls": bool(config.get("EMAIL_USE_TLS")),
            "use_ssl": bool(config.get("EMAIL_USE_SSL")),
            "timeout": env.int("EMAIL_TIMEOUT", default=30),
        }
    elif backend.endswith("filebased.EmailBackend"):
        options = {"file_path": config.get("EMAIL_FILE_PATH") or str(VAR_DIR / "mail")}
    else:
        options = {}
    return {"BACKEND": backend, "OPTIONS": options}


if "EMAIL_URL" in env:
    MAILERS = {"default": _mailer_from_url(env.str("EMAIL_URL"))}
elif PRODUCTION:
    raise environ.ImproperlyConfigured("Set EMAIL_URL (smtp+tls://user:password@host:587) in production.")
else:
    # Development: every e-mail is written as a file under var/mail/.
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(VAR_DIR / "mail")},
        }
    }

# --- Forms --------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
FORM_RENDERER = "django.forms.renderers.DjangoTemplates"

# --- Security -----------------------------------------------------------------------------
# Django 6's built-in Content Security Policy: only our own origin, no inline script.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    # The sign-in and logout buttons post to the portal, which redirects to the provider:
    # browsers hold that redirect to form-action too.
    "form-action": [CSP.SELF, *sorted({origin for p in IDENTITY_PROVIDERS for origin in p.origins})],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
# How many reverse proxies in front of the web process append to X-Forwarded-For (0 when
# clients connect directly; 1 behind the proxy of the compose deployment). This one
# setting (env TRUSTED_PROXIES) is allauth's own: its login, signup and password-reset
# limits and the portal's rate limits (clusterportal.ratelimit) all ask allauth's adapter
# for the client address, which takes the entry that many places from the right of
# X-Forwarded-For and never trusts what the client wrote further left. Without a proxy
# the header is ignored: REMOTE_ADDR is the client.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXIES", default=0)
# A request is judged by when it reached the portal (clusterportal.arrival): the front
# proxy's X-Request-Start when ARRIVAL_FROM_PROXY (only if that proxy sets the header
# itself, as deploy/nginx.conf does), else when this process started on it. A change that
# arrived on time but waited longer than this to be written is refused loudly, never late.
ARRIVAL_FROM_PROXY = env.bool("ARRIVAL_FROM_PROXY", default=False)
ARRIVAL_MAX_WAIT_SECONDS = env.int("ARRIVAL_MAX_WAIT_SECONDS", default=60)
# An invitation to join an organisation works this many days (intake.deadlines).
INVITATION_VALID_DAYS = env.int("INVITATION_VALID_DAYS", default=14)
# Browser features the portal never uses, off for its pages and whatever they embed
# (clusterportal.permissions_policy). "self" would allow a feature for our own origin.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
CSRF_FAILURE_VIEW = "clusterportal.errors.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True  # the NL/EN choice, like every cookie, only over HTTPS
    # /healthz is probed over plain HTTP inside the cluster.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# --- The agency: the footer's contact line and the receipt's issuer ------------------------
AGENCY_NAME = "VLAIO — Agentschap Innoveren & Ondernemen"
# How a sentence names the agency ("… bevestigt dat VLAIO … heeft ontvangen").
AGENCY_SHORT_NAME = "VLAIO"
# The seat the receipt is issued from (printed at its top, as on the agency's letters).
AGENCY_ADDRESS = "Koning Albert II-laan 35 bus 12, 1030 Brussel"

# Reviewers and call managers see applications only when signed in with TOTP.
REVIEWS_REQUIRE_MFA = True
REVIEWS_PAGE_SIZE = 25
