"""Settings of the test OpenID Connect provider. Everything that differs per test session
comes from the environment, set by tests/oidc/conftest.py:

- OIDC_PROVIDER_ISSUER: the issuer, exactly (http://127.0.0.1:<port>/o)
- OIDC_PROVIDER_PRIVATE_KEY_FILE: the RS256 signing key (PEM), generated per session
- OIDC_PROVIDER_DATABASE: the SQLite file (in the session's temporary directory)
- OIDC_PROVIDER_PEOPLE_FILE: who can sign in, with their claims (people.py)
- OIDC_PROVIDER_SECRET_KEY: signs the provider's session cookie and CSRF token"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

HERE = Path(__file__).resolve().parent


def _env(name: str) -> str:
    try:
        return os.environ[name]
    except KeyError:
        raise ImproperlyConfigured(f"{name} is not set: the provider is started by tests/oidc/conftest.py") from None


SECRET_KEY = _env("OIDC_PROVIDER_SECRET_KEY")
DEBUG = False
# Served on loopback only; "localhost" for a client that names the host so.
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "tests.oidc_provider.urls"
WSGI_APPLICATION = "tests.oidc_provider.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en"
USE_I18N = False

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "oauth2_provider",
    # Its management command (oidc_client) and templates (registration/login.html).
    "tests.oidc_provider",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
            ],
        },
    },
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": _env("OIDC_PROVIDER_DATABASE"),
        "OPTIONS": {
            # The server's threads and the fixture's oidc_client command write to the
            # same file: WAL lets readers go on during a write, IMMEDIATE takes the
            # write lock at BEGIN (no "database is locked" on a lock upgrade), and the
            # timeout waits for the other writer instead of failing.
            "init_command": "PRAGMA journal_mode=WAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
    }
}

# The portal runs on the same host, 127.0.0.1, and cookies are not port-scoped: names
# of the provider's own so that neither side overwrites the other's session or token.
SESSION_COOKIE_NAME = "oidc_provider_sessionid"
CSRF_COOKIE_NAME = "oidc_provider_csrftoken"
# Signed cookies: no session table to write to on every sign-in.
SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"

AUTHENTICATION_BACKENDS = ["tests.oidc_provider.backends.PeopleFileBackend"]
LOGIN_URL = "/accounts/login/"
# DOT hashes client secrets with the first hasher; the default PBKDF2 costs about a
# second per token request on the CI machine. Nobody's password is stored here.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": Path(_env("OIDC_PROVIDER_PRIVATE_KEY_FILE")).read_text(encoding="ascii"),
    # Exactly the issuer the portal is configured with; otherwise DOT derives it from
    # each request's Host header.
    "OIDC_ISS_ENDPOINT": _env("OIDC_PROVIDER_ISSUER"),
    # The portal must send PKCE (S256); a request without it is refused.
    "PKCE_REQUIRED": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    # An end_session_endpoint in discovery, for the portal's sign-out.
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    # With a valid id_token_hint of the signed-in person, log out and redirect back
    # without a confirmation page (as the agency's provider does); without one, DOT
    # still asks.
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
    "SCOPES": {
        "openid": "OpenID Connect sign-in",
        "profile": "Name",
        "email": "E-mail address",
    },
    "DEFAULT_SCOPES": ["openid"],
    "OAUTH2_VALIDATOR_CLASS": "tests.oidc_provider.validators.PeopleValidator",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    # Errors (a 500's traceback) go to the provider's log, which the fixture shows
    # when the provider fails.
    "root": {"handlers": ["stderr"], "level": "WARNING"},
}
