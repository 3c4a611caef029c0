"""The Celery entry points of intake.tasks, run eagerly: the outbox task retries with
back-off and then gives up, the receipt task is idempotent, and beat's reminder sweep
runs on a plain UTC interval."""

import pytest
import time_machine
from django.conf import settings

from clusterportal.celery import app
from intake.kernel.enums import OutboxStatus
from intake.models import Receipt
from intake.tasks import outbox_send, receipt_render
from intake.tasks import reminders_sweep as reminders_sweep_task
from tests.intake.file_helpers import stored_files
from tests.intake.outbox_helpers import queued, stored
from tests.intake.receipt_helpers import pdf_bytes_of, receipt_call, receipt_organisation
from tests.intake.reminder_helpers import ONE_DAY_BEFORE

# --- outbox_send: retry with back-off, then give up ------------------------------------------


@pytest.fixture
def eager_retries(_eager_celery):
    """Eager tasks that raise propagate (tests/conftest.py), and so would their retries:
    let Celery run each retry in-process instead, as a worker would later."""
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = True


@pytest.mark.django_db
def test_outbox_send_task_retries_after_a_refusal_and_sends_once(call, smtp, eager_retries):
    smtp.refuse_next = 1
    message = queued(call)

    outbox_send.delay(ids=[message.pk])  # eager: each retry runs at once, without its countdown

    message = stored(message)
    assert (message.status, message.attempts, message.last_error) == (OutboxStatus.SENT, 2, "")
    assert smtp.count() == 1
    assert smtp.refused == 1


@pytest.mark.django_db
def test_outbox_send_task_backs_off_and_after_the_last_retry_marks_the_message_failed(
    call, smtp, settings, monkeypatch, eager_retries
):
    settings.OUTBOX_RETRY_BASE_SECONDS = 30
    smtp.refuse_next = 100
    message = queued(call)
    countdowns = []
    retry = outbox_send.retry

    def spy(*args, **kwargs):
        countdowns.append(kwargs["countdown"])
        return retry(*args, **kwargs)

    monkeypatch.setattr(outbox_send, "retry", spy)

    outbox_send.delay(ids=[message.pk])

    assert countdowns == [30, 60, 120, 240, 480, 600, 600, 600]
    message = stored(message)
    assert message.status == OutboxStatus.FAILED  # never silently dropped
    assert message.attempts == 9
    assert "SMTPDataError" in message.last_error and "451" in message.last_error
    assert smtp.count() == 0


# --- receipt_render --------------------------------------------------------------------------


@receipt_call
@receipt_organisation
def test_receipt_render_task_run_again_changes_nothing(submission, receipt, storage_root, mailoutbox):
    before = pdf_bytes_of(receipt)

    results = [receipt_render.apply(kwargs={"submission_id": submission.pk}) for _ in range(2)]

    assert all(result.successful() for result in results)
    assert Receipt.objects.count() == 1
    after = Receipt.objects.get()
    assert (after.attempts, after.emailed_at, after.rendered_at) == (1, receipt.emailed_at, receipt.rendered_at)
    assert pdf_bytes_of(after) == before
    assert len(stored_files(storage_root)) == 1
    assert len(mailoutbox) == 1


# --- reminders_sweep -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_beat_task_runs_the_sweep_on_a_plain_utc_interval(cast, mailoutbox, django_capture_on_commit_callbacks):
    entry = settings.CELERY_BEAT_SCHEDULE["reminders-sweep"]
    assert entry["task"] == "intake.reminders_sweep" == reminders_sweep_task.name
    assert entry["task"] in app.tasks
    assert isinstance(entry["schedule"], float)  # an interval, not a crontab in local time
    assert settings.CELERY_TIMEZONE == "UTC"

    with time_machine.travel(ONE_DAY_BEFORE, tick=False), django_capture_on_commit_callbacks(execute=True):
        reminders_sweep_task.delay()

    assert sorted(m.to[0] for m in mailoutbox) == ["alice@example.org", "bob@example.org", "carol@example.org"]
