"""A submission recorded while the broker is unreachable: the applicant gets the normal
page (not an error), the receipt is visible as pending, and beat's redispatch picks it up."""

from datetime import timedelta

import pytest
import time_machine

from clusterportal.celery import app
from intake.kernel.enums import OutboxStatus, ReceiptStatus
from intake.messaging.recovery import GRACE, redispatch, stuck_messages, stuck_receipts
from intake.models import OutboxMessage, Receipt, Submission
from intake.services.submissions import preregistration_submit
from tests.factories import PreRegistrationFactory


@pytest.fixture
def broker_down():
    """A real broker connection to a port nothing listens on (no mocks): dispatching fails.
    The app's own connection pools are set aside and put back untouched afterwards."""
    conf = app.conf
    saved = (
        conf.task_always_eager,
        conf.broker_url,
        conf.broker_transport_options,
        conf.broker_connection_retry,
        app._pool,
        app.amqp._producer_pool,
    )
    conf.task_always_eager = False
    conf.broker_url = "redis://127.0.0.1:1/0"
    conf.broker_transport_options = {"max_retries": 0}
    conf.broker_connection_retry = False
    app._pool = None
    app.amqp._producer_pool = None
    yield
    if app._pool is not None:
        app._pool.force_close_all()
    (
        conf.task_always_eager,
        conf.broker_url,
        conf.broker_transport_options,
        conf.broker_connection_retry,
        app._pool,
        app.amqp._producer_pool,
    ) = saved


@pytest.mark.django_db
def test_submit_with_the_broker_down_is_recorded_and_redispatched_later(
    call, organisation, user, client, broker_down, django_capture_on_commit_callbacks, settings, tmp_path
):
    draft = PreRegistrationFactory(call=call, organisation=organisation, complete=True)
    client.force_login(user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/calls/{call.slug}/preregistration/submit/", {"organisation": organisation.pk})

    assert response.status_code == 302  # the applicant sees the registered submission, no error page
    submission = Submission.objects.get(preregistration=draft)
    assert Receipt.objects.get(submission=submission).status == ReceiptStatus.PENDING
    assert stuck_receipts() == []  # within the grace period nothing is "stuck" yet
    later = submission.submitted_at + GRACE + timedelta(seconds=1)
    assert stuck_receipts(now=later) == [submission.pk]


@pytest.mark.django_db
def test_redispatch_renders_stuck_receipts_and_sends_stuck_mail(call, organisation, user, settings, tmp_path, mailoutbox):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    draft = PreRegistrationFactory(call=call, organisation=organisation, complete=True)
    submission = preregistration_submit(preregistration_id=draft.pk, actor=user)  # on_commit never runs here
    assert Receipt.objects.get(submission=submission).status == ReceiptStatus.PENDING

    with time_machine.travel(submission.submitted_at + GRACE + timedelta(minutes=1), tick=False):
        receipts, _messages = redispatch()  # tasks run eagerly in the unit tests
        assert receipts == 1
        assert Receipt.objects.get(submission=submission).status == ReceiptStatus.RENDERED
        assert stuck_messages(now=submission.submitted_at + 2 * GRACE + timedelta(minutes=2)) == [
            m.pk for m in OutboxMessage.objects.filter(status=OutboxStatus.QUEUED)
        ]
    with time_machine.travel(submission.submitted_at + 2 * GRACE + timedelta(minutes=2), tick=False):
        redispatch()
    assert OutboxMessage.objects.get().status == OutboxStatus.SENT
    assert len(mailoutbox) == 1
