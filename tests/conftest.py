"""Shared fixtures. Tests run against whatever DATABASE_URL / REDIS_URL say (CI: the real
PostgreSQL and Redis); without them, SQLite and the embedded broker."""

import os
from datetime import datetime

import pytest

from tests import factories

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def pytest_sessionfinish(session, exitstatus):
    """In CI a skipped test is a failure: a missing service, browser or system library
    must not turn a red run green."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if IN_CI and skipped and exitstatus == 0:
        reporter.write_line(f"CI=true: {len(skipped)} test(s) skipped; in CI a skip is a failure.", red=True)
        session.exitstatus = 1


def pytest_report_header(config):
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    return [f"clusterportal: database={engine}, broker={settings.CELERY_BROKER_URL.split('://')[0]}"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The real hasher costs over a second per user on this machine; tests don't need it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    """A cache of the test's own: the embedded default's file cache outlives a run, and
    rate limits (allauth's, the receipt verification's) would carry over between tests."""
    import uuid

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": uuid.uuid4().hex}}


@pytest.fixture(autouse=True)
def _eager_celery(settings):
    """Unit tests run queued tasks in-process (still through Celery's task machinery);
    the integration tests start real workers instead."""
    from clusterportal.celery import app

    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


@pytest.fixture(autouse=True)
def _dutch(settings):
    settings.LANGUAGE_CODE = "nl-be"
    from django.utils import translation

    with translation.override("nl"):
        yield


@pytest.fixture
def brussels():
    from intake.kernel.formatting import BRUSSELS

    return BRUSSELS


@pytest.fixture
def at_brussels(brussels):
    """at_brussels(2026, 1, 23, 12) → an aware datetime in Brussels time."""

    def make(*args) -> datetime:
        return datetime(*args, tzinfo=brussels)

    return make


@pytest.fixture
def user(db):
    return factories.UserFactory()


@pytest.fixture
def organisation(db, user):
    return factories.OrganisationFactory(owner=user)


@pytest.fixture
def call(db):
    return factories.CallFactory()


@pytest.fixture
def logged_in_client(client, user):
    client.force_login(user)
    return client
