"""Shared fixtures. Tests run against whatever DATABASE_URL / REDIS_URL say (CI: the real
PostgreSQL and Redis); without them, SQLite and the embedded broker.

``call`` and ``organisation`` are factory-made; a module or test marked
``@pytest.mark.call_fields(...)`` / ``@pytest.mark.organisation_fields(...)`` gets them
made with those fields (the receipt tests' call, tests/intake/receipt_helpers.py)."""

import os
import uuid
from datetime import datetime

import pytest
import time_machine
from django.conf import settings as django_settings
from django.utils import translation

from clusterportal.celery import app as celery_app
from intake.kernel.formatting import BRUSSELS
from intake.models import Receipt, Submission
from intake.services.submissions import preregistration_submit
from tests import factories
from tests.intake.receipt_helpers import SUBMITTED

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

# The browser (one Chromium per session) for tests/e2e and the sign-in journeys in tests/oidc.
pytest_plugins = ["tests.e2e.browser"]


def pytest_configure(config):
    config.addinivalue_line("markers", "call_fields(**fields): the `call` fixture is CallFactory(**fields)")
    config.addinivalue_line("markers", "organisation_fields(**fields): the `organisation` fixture is made with these fields")


def pytest_sessionfinish(session, exitstatus):
    """In CI a skipped test is a failure: a missing service, browser or system library
    must not turn a red run green."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if IN_CI and skipped and exitstatus == 0:
        reporter.write_line(f"CI=true: {len(skipped)} test(s) skipped; in CI a skip is a failure.", red=True)
        session.exitstatus = 1


def pytest_report_header(config):
    engine = django_settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    return [f"clusterportal: database={engine}, broker={django_settings.CELERY_BROKER_URL.split('://')[0]}"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The real hasher costs over a second per user on this machine; tests don't need it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    """A cache of the test's own: the embedded default's file cache outlives a run, and
    rate limits (allauth's, the receipt verification's) would carry over between tests."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": uuid.uuid4().hex}}


@pytest.fixture(autouse=True)
def _eager_celery(settings):
    """Unit tests run queued tasks in-process (still through Celery's task machinery);
    the integration tests start real workers instead."""
    previous = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = previous


@pytest.fixture(autouse=True)
def _dutch(settings):
    settings.LANGUAGE_CODE = "nl-be"
    with translation.override("nl"):
        yield


@pytest.fixture
def brussels():
    return BRUSSELS


@pytest.fixture
def at_brussels(brussels):
    """at_brussels(2026, 1, 23, 12) → an aware datetime in Brussels time."""

    def make(*args) -> datetime:
        return datetime(*args, tzinfo=brussels)

    return make


def _fields(request, marker: str) -> dict:
    found = request.node.get_closest_marker(marker)
    return found.kwargs if found else {}


@pytest.fixture
def user(db):
    return factories.UserFactory()


@pytest.fixture
def organisation(request, db, user):
    return factories.OrganisationFactory(owner=user, **_fields(request, "organisation_fields"))


@pytest.fixture
def call(request, db):
    return factories.CallFactory(**_fields(request, "call_fields"))


@pytest.fixture
def logged_in_client(client, user):
    client.force_login(user)
    return client


# --- Receipts (used by tests/intake and by the download in tests/reviews) -------------------


@pytest.fixture
def submit(django_capture_on_commit_callbacks):
    """submit(call, organisation, actor, language="nl") → the Submission of a
    pre-registration submitted at SUBMITTED, with the queued receipt task run on commit
    (run_tasks=False leaves it queued: the receipt is then not even pending yet)."""

    def make(call, organisation, actor, *, language="nl", run_tasks=True) -> Submission:
        preregistration = factories.PreRegistrationFactory(call=call, organisation=organisation, complete=True)
        with (
            time_machine.travel(SUBMITTED, tick=False),
            translation.override(language),
            django_capture_on_commit_callbacks(execute=run_tasks) as callbacks,
        ):
            submission = preregistration_submit(preregistration_id=preregistration.pk, actor=actor)
        # The receipt task, queued on commit; run, it queues its e-mail in the outbox.
        assert len(callbacks) >= 1
        return Submission.objects.select_related("call", "organisation", "submitted_by").get(pk=submission.pk)

    return make


@pytest.fixture
def submission(submit, call, organisation, user):
    return submit(call, organisation, user)


@pytest.fixture
def receipt(submission):
    return Receipt.objects.get(submission=submission)
