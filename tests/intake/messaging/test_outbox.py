"""The outbox (intake.messaging.outbox): queuing is idempotent, a batch goes over one SMTP
connection, every message is sent at most once, an SMTP refusal puts it back for a retry,
and a message interrupted mid-send is made visible instead of sent again. Sending goes to
a real SMTP server on 127.0.0.1 (aiosmtpd) where the test is about the SMTP conversation."""

import smtplib
from datetime import timedelta

import pytest
from django.utils import timezone

from intake.kernel.enums import OutboxStatus
from intake.messaging.outbox import INTERRUPTED, STALE_RESERVATION, outbox_enqueue, outbox_give_up, outbox_send_batch
from intake.models import OutboxMessage, Reminder
from tests.factories import UserFactory
from tests.intake.outbox_helpers import deadline_changed_context, queued, reminder_for, smtp_mailer, stored
from tests.integration.smtp import free_port


def enqueue(call, to="an@example.org", **kwargs):
    return outbox_enqueue(to=to, template="deadline_changed", context=deadline_changed_context(call), **kwargs)


# --- Queuing ---------------------------------------------------------------------------------


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


# --- Sending a batch -------------------------------------------------------------------------


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


# --- Giving up -------------------------------------------------------------------------------


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
