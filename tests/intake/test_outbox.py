"""The outbox (intake.outbox): queuing is idempotent, a batch goes over one SMTP
connection, every message is sent at most once, an SMTP refusal is retried with
back-off, a message interrupted mid-send is made visible instead of sent again, and a
manager can re-send failed ones from the admin. Sending goes to a real SMTP server on
127.0.0.1 (aiosmtpd) where the test is about the SMTP conversation."""

import smtplib
from datetime import timedelta

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from intake.kernel.enums import OutboxStatus, Phase, ReminderStatus
from intake.messaging.outbox import INTERRUPTED, outbox_build, outbox_enqueue, outbox_give_up, outbox_send_batch
from intake.models import OutboxMessage, Reminder
from intake.tasks import outbox_send
from tests.auth import sign_in
from tests.factories import UserFactory
from tests.integration.smtp import free_port, smtp_server


def smtp_mailer(port: int) -> dict:
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10},
        }
    }


@pytest.fixture
def smtp(settings):
    """A real SMTP server; the portal's default mailer talks to it."""
    with smtp_server() as server:
        settings.MAILERS = smtp_mailer(server.port)
        yield server


def deadline_changed_context(call) -> dict:
    return {
        "call": call,
        "phase_label": Phase.PREREGISTRATION.label,
        "old_deadline": call.preregistration_deadline,
        "new_deadline": call.preregistration_deadline + timedelta(days=7),
        "note": "",
    }


def enqueue(call, to="an@example.org", **kwargs):
    return outbox_enqueue(to=to, template="deadline_changed", context=deadline_changed_context(call), **kwargs)


def queued(call, to="an@example.org", **fields) -> OutboxMessage:
    """A rendered message saved in the queue, without the on-commit send."""
    message = outbox_build(to=to, template="deadline_changed", context=deadline_changed_context(call))
    for name, value in fields.items():
        setattr(message, name, value)
    message.save()
    return message


def reminder_for(call, message, user) -> Reminder:
    return Reminder.objects.create(
        call=call,
        phase=Phase.PREREGISTRATION,
        offset_minutes=1440,
        recipient=user,
        deadline=call.preregistration_deadline,
        due_at=call.preregistration_deadline - timedelta(days=1),
        reason="follow",
        status=ReminderStatus.QUEUED,
        outbox=message,
        sweep="test",
    )


def stored(message) -> OutboxMessage:
    return OutboxMessage.objects.get(pk=message.pk)


# --- Queuing --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_outbox_enqueue_with_the_same_dedupe_key_twice_queues_one_message(call, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = enqueue(call, dedupe_key="deadline:1:an")
        second = enqueue(call, dedupe_key="deadline:1:an")

    assert first is not None and first.pk
    assert second is None
    assert list(OutboxMessage.objects.values_list("pk", flat=True)) == [first.pk]
    assert len(callbacks) == 1  # one send queued, for the one message
    assert stored(first).status == OutboxStatus.QUEUED


@pytest.mark.django_db
def test_outbox_enqueue_without_a_dedupe_key_queues_every_time(call):
    enqueue(call)
    enqueue(call)

    assert OutboxMessage.objects.count() == 2


# --- Sending a batch --------------------------------------------------------------------------


@pytest.mark.django_db
def test_send_batch_sends_each_queued_message_once_over_one_connection(call, smtp):
    messages = [queued(call, to=f"person{n}@example.org") for n in range(3)]
    ids = [m.pk for m in messages]

    counts = outbox_send_batch(ids=ids)

    assert counts == {"sent": 3, "skipped": 0, "interrupted": 0}
    assert smtp.sessions == 1
    assert sorted(smtp.recipients()) == ["person0@example.org", "person1@example.org", "person2@example.org"]
    received = smtp.messages[0]
    assert received["Subject"] == messages[0].subject
    assert received.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in received.iter_parts()] == ["text/plain", "text/html"]
    for message in messages:
        message = stored(message)
        assert message.status == OutboxStatus.SENT
        assert message.attempts == 1
        assert message.sent_at is not None
        assert message.last_error == ""

    again = outbox_send_batch(ids=ids)

    assert again == {"sent": 0, "skipped": 0, "interrupted": 0}
    assert smtp.count() == 3
    assert smtp.sessions == 1  # nothing to send: no connection either


@pytest.mark.django_db
def test_send_batch_marks_a_message_left_sending_as_failed_and_does_not_send_it(call, smtp):
    """A worker killed during the SMTP conversation leaves its message "sending": it may
    or may not have gone out. The next attempt makes that visible instead of guessing."""
    user = UserFactory()
    # Reserved by the task that Celery now delivers again (same task id).
    interrupted = queued(call, to="interrupted@example.org", status=OutboxStatus.SENDING, attempts=1, reserved_by="task-1")
    reminder = reminder_for(call, interrupted, user)
    waiting = queued(call, to="waiting@example.org")

    counts = outbox_send_batch(ids=[interrupted.pk, waiting.pk], run="task-1")

    assert counts == {"sent": 1, "skipped": 1, "interrupted": 1}
    assert smtp.recipients() == ["waiting@example.org"]
    interrupted = stored(interrupted)
    assert interrupted.status == OutboxStatus.FAILED
    assert interrupted.last_error == INTERRUPTED
    assert interrupted.attempts == 1
    assert interrupted.sent_at is None
    # The reminder shows it: its e-mail failed (the outbox row is the one record of sending).
    assert Reminder.objects.filter(pk=reminder.pk, outbox__status=OutboxStatus.FAILED).exists()
    assert stored(waiting).status == OutboxStatus.SENT

    outbox_send_batch(ids=[interrupted.pk])

    assert smtp.count() == 1
    assert stored(interrupted).status == OutboxStatus.FAILED


def test_send_batch_leaves_a_message_another_task_is_sending_alone(call, smtp):
    """Two send tasks overlap (two worker processes): the second must not declare the
    first one's message interrupted while that one is still talking to the server."""
    busy = queued(
        call, to="busy@example.org", status=OutboxStatus.SENDING, attempts=1, reserved_by="task-A", reserved_at=timezone.now()
    )

    counts = outbox_send_batch(ids=[busy.pk], run="task-B")

    assert counts == {"sent": 0, "skipped": 0, "interrupted": 0}
    assert stored(busy).status == OutboxStatus.SENDING
    assert smtp.count() == 0


def test_send_batch_marks_a_long_abandoned_reservation_as_interrupted(call, smtp):
    from intake.messaging.outbox import STALE_RESERVATION

    abandoned = queued(
        call,
        to="gone@example.org",
        status=OutboxStatus.SENDING,
        attempts=1,
        reserved_by="task-A",
        reserved_at=timezone.now() - STALE_RESERVATION - timedelta(seconds=1),
    )

    counts = outbox_send_batch(ids=[abandoned.pk], run="task-B")

    assert counts["interrupted"] == 1
    assert stored(abandoned).status == OutboxStatus.FAILED
    assert smtp.count() == 0


@pytest.mark.django_db
def test_smtp_refusing_the_first_attempt_puts_the_message_back_and_the_next_batch_sends_it_once(call, smtp):
    smtp.refuse_next = 1
    first, second = queued(call, to="first@example.org"), queued(call, to="second@example.org")

    with pytest.raises(smtplib.SMTPDataError) as refusal:
        outbox_send_batch(ids=[first.pk, second.pk])

    assert refusal.value.smtp_code == 451
    assert smtp.count() == 0
    first = stored(first)
    assert first.status == OutboxStatus.QUEUED
    assert first.attempts == 1
    assert "451" in first.last_error and "Try again later" in first.last_error
    assert stored(second).status == OutboxStatus.QUEUED  # not tried: the task retries the batch
    assert stored(second).attempts == 0

    counts = outbox_send_batch(ids=[first.pk, second.pk])

    assert counts["sent"] == 2
    assert sorted(smtp.recipients()) == ["first@example.org", "second@example.org"]
    first = stored(first)
    assert (first.status, first.attempts, first.last_error) == (OutboxStatus.SENT, 2, "")
    assert smtp.refused == 1


@pytest.mark.django_db
def test_send_batch_with_the_mail_server_unreachable_keeps_the_messages_queued_with_the_error(call, settings):
    settings.MAILERS = smtp_mailer(free_port())  # nothing listens there
    message = queued(call)

    with pytest.raises(OSError):
        outbox_send_batch(ids=[message.pk])

    message = stored(message)
    assert message.status == OutboxStatus.QUEUED
    assert message.attempts == 1
    assert "ConnectionRefusedError" in message.last_error


# --- The task: retry with back-off, then give up ---------------------------------------------


@pytest.fixture
def eager_retries(_eager_celery):
    """Eager tasks that raise propagate (tests/conftest.py), and so would their retries:
    let Celery run each retry in-process instead, as a worker would later."""
    from clusterportal.celery import app

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


@pytest.mark.django_db
def test_outbox_give_up_marks_what_is_still_queued_as_failed(call):
    user = UserFactory()
    sent = queued(call, to="sent@example.org", status=OutboxStatus.SENT, attempts=1)
    still = queued(call, to="still@example.org", attempts=9, last_error="SMTPDataError: 451")
    reminder = reminder_for(call, still, user)

    outbox_give_up(ids=[sent.pk, still.pk], error="SMTPServerDisconnected: Connection unexpectedly closed")

    assert stored(sent).status == OutboxStatus.SENT
    assert stored(sent).last_error == ""
    still = stored(still)
    assert still.status == OutboxStatus.FAILED
    assert still.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"
    assert Reminder.objects.filter(pk=reminder.pk, outbox__status=OutboxStatus.FAILED).exists()


# --- The admin: re-send failed messages deliberately ------------------------------------------


@pytest.mark.django_db
def test_admin_resend_action_requeues_failed_messages_only(call, client, mailoutbox, django_capture_on_commit_callbacks):
    sign_in(client, UserFactory(is_staff=True, is_superuser=True))
    user = UserFactory()
    failed = queued(call, to="failed@example.org", status=OutboxStatus.FAILED, attempts=1, last_error=INTERRUPTED)
    reminder = reminder_for(call, failed, user)
    sent = queued(call, to="sent@example.org", status=OutboxStatus.SENT, attempts=1)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            "/admin/intake/outboxmessage/",
            {"action": "resend", "_selected_action": [str(failed.pk), str(sent.pk)], "select_across": "0"},
            follow=True,
        )

    assert response.status_code == 200
    with translation.override("nl"):
        assert [str(m) for m in response.context["messages"]] == [gettext("%(n)d e-mail(s) queued again.") % {"n": 1}]
    assert stored(failed).status == OutboxStatus.QUEUED
    assert Reminder.objects.filter(pk=reminder.pk, outbox__status=OutboxStatus.QUEUED).exists()
    assert len(callbacks) == 1

    for callback in callbacks:  # the commit: the send task runs (eagerly)
        callback()

    assert [m.to for m in mailoutbox] == [["failed@example.org"]]
    failed = stored(failed)
    assert (failed.status, failed.attempts, failed.last_error) == (OutboxStatus.SENT, 2, "")
    assert Reminder.objects.filter(pk=reminder.pk, outbox__status=OutboxStatus.SENT).exists()
    assert stored(sent).attempts == 1  # a sent message is never re-sent


def test_send_batch_fails_a_refused_address_and_sends_the_rest(call, smtp):
    """A 550 for one address is that message's failure, not the batch's: the others go out."""
    smtp.unknown.add("weg@example.org")
    first = queued(call, to="een@example.org")
    refused = queued(call, to="weg@example.org")
    last = queued(call, to="drie@example.org")

    counts = outbox_send_batch(ids=[first.pk, refused.pk, last.pk])

    assert counts["sent"] == 2
    assert sorted(smtp.recipients()) == ["drie@example.org", "een@example.org"]
    refused = stored(refused)
    assert refused.status == OutboxStatus.FAILED
    assert "550" in refused.last_error
    assert stored(last).status == OutboxStatus.SENT
