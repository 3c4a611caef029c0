"""Settings come from the environment through one code path. Each case runs Django in a
fresh interpreter, because settings are read once at start-up."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, django
from django.conf import settings
django.setup()
db = settings.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"], "name": str(db["NAME"]), "conn_max_age": db.get("CONN_MAX_AGE"),
    "broker": settings.CELERY_BROKER_URL, "cache": settings.CACHES["default"]["BACKEND"],
    "language": settings.LANGUAGE_CODE, "tz": settings.TIME_ZONE, "use_tz": settings.USE_TZ,
    "mailer": settings.MAILERS["default"]["BACKEND"], "debug": settings.DEBUG,
    "ssl_redirect": getattr(settings, "SECURE_SSL_REDIRECT", False),
    "trusted_proxies": getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0),
    "secure_cookies": [settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, settings.LANGUAGE_COOKIE_SECURE],
}))
"""

BASE_ENV = {
    k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "EMAIL_URL", "DJANGO_ENV", "SECRET_KEY"}
}


def run_probe(tmp_path, **env):
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={**BASE_ENV, "DJANGO_SETTINGS_MODULE": "clusterportal.settings", "VAR_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result


def test_settings_default_is_the_embedded_setup(tmp_path):
    result = run_probe(tmp_path)
    assert result.returncode == 0, result.stderr
    config = json.loads(result.stdout)
    assert config["engine"] == "django.db.backends.sqlite3"
    assert config["name"] == str(tmp_path / "db.sqlite3")
    assert config["broker"] == "filesystem://"
    assert (tmp_path / "broker" / "queue").is_dir()
    assert config["mailer"].endswith("filebased.EmailBackend")
    assert config["language"] == "nl-be"
    assert config["tz"] == "Europe/Brussels"
    assert config["use_tz"] is True


def test_settings_postgresql_and_redis_from_the_environment(tmp_path):
    result = run_probe(
        tmp_path,
        DATABASE_URL="postgres://portal:secret@db.example.org:5432/portal",
        REDIS_URL="redis://cache.example.org:6379/2",
        EMAIL_URL="smtp+tls://user:pw@smtp.example.org:587",
    )
    assert result.returncode == 0, result.stderr
    config = json.loads(result.stdout)
    assert config["engine"] == "django.db.backends.postgresql"
    assert config["name"] == "portal"
    assert config["conn_max_age"] == 60  # persistent connections
    assert config["broker"] == "redis://cache.example.org:6379/2"
    assert config["cache"].endswith("RedisCache")
    assert config["mailer"].endswith("smtp.EmailBackend")


@pytest.mark.parametrize(("value", "expected"), [(None, 0), ("1", 1), ("2", 2)])
def test_settings_trusted_proxies_is_the_one_setting_allauth_reads(tmp_path, value, expected):
    """docker-compose.yml and .env.example set TRUSTED_PROXIES=1: allauth's login limits
    must see it (its ALLAUTH_TRUSTED_PROXY_COUNT), not only the portal's own limits, or
    behind the proxy every failed login counts against one address, the proxy's."""
    result = run_probe(tmp_path, **({"TRUSTED_PROXIES": value} if value else {}))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["trusted_proxies"] == expected


def test_settings_production_sends_every_cookie_only_over_https(tmp_path):
    """The session, the CSRF token and the language choice (/i18n/setlang/)."""
    result = run_probe(
        tmp_path, DJANGO_ENV="production", EMAIL_URL="smtp://mail:25", SECRET_KEY="x7Jq-" + "k" * 50, ALLOWED_HOSTS="p.example"
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["secure_cookies"] == [True, True, True]


def test_settings_production_refuses_to_start_without_a_secret(tmp_path):
    result = run_probe(tmp_path, DJANGO_ENV="production", EMAIL_URL="smtp://mail:25")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_settings_production_refuses_a_weak_secret(tmp_path):
    result = run_probe(tmp_path, DJANGO_ENV="production", EMAIL_URL="smtp://mail:25", SECRET_KEY="short")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_settings_production_passes_check_deploy(tmp_path):
    env = {
        **BASE_ENV,
        "VAR_DIR": str(tmp_path),
        "DJANGO_ENV": "production",
        "SECRET_KEY": "x7Jq-" + "k" * 20 + "Zp0w9e8r7t6y5u4i3o2p1a0s9d8f7g6h5",
        "EMAIL_URL": "smtp+tls://user:pw@smtp.example.org:587",
        "ALLOWED_HOSTS": "portal.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("broker_kind", ["embedded", "redis"])
def test_settings_test_run_uses_the_configured_services(settings, broker_kind):
    """Guards CI's honesty: with DATABASE_URL / REDIS_URL set, the suite really runs on them."""
    if broker_kind == "redis" and os.environ.get("REDIS_URL"):
        assert settings.CELERY_BROKER_URL.startswith("redis://")
    elif broker_kind == "embedded" and not os.environ.get("REDIS_URL"):
        assert settings.CELERY_BROKER_URL == "filesystem://"
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
