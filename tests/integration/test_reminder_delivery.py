"""End to end with real processes: deadline reminders and outbox e-mails go through a real
Celery worker (Redis broker, PostgreSQL test database) to a real SMTP server, and arrive
exactly once — with a second sweep, a duplicated task, an SMTP refusal, and a worker
killed in the middle of sending."""

import os
import signal
import threading
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone

from intake.kernel.enums import OutboxStatus, Phase, PreRegistrationState, ReminderStatus, Role
from intake.messaging.outbox import INTERRUPTED, outbox_build
from intake.messaging.reminders import reminders_sweep
from intake.models import Membership, OutboxMessage, Reminder
from intake.tasks import outbox_send
from intake.tasks import reminders_sweep as reminders_sweep_task
from tests.factories import CallFactory, OrganisationFactory, PreRegistrationFactory, UserFactory
from tests.integration.conftest import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

THREE_HOURS = 180  # offset_minutes of the reminder that is due in these tests


def call_with_a_due_reminder(members: int = 1):
    """A call whose pre-registration deadline is 2 hours 58 minutes from now, in real time
    (the worker's sweep reads its own clock): its "3 hours before" reminder became due two
    minutes ago (and stays due for 45 minutes), the earlier ones are stale. An organisation
    with ``members`` people has a draft pre-registration."""
    now = timezone.now()
    call = CallFactory(
        opens_at=now - timedelta(days=30),
        preregistration_deadline=now + timedelta(hours=3) - timedelta(minutes=2),
        dossier_deadline=now + timedelta(days=60),
    )
    organisation = OrganisationFactory()
    users = [UserFactory() for _ in range(members)]
    for index, user in enumerate(users):
        Membership.objects.create(organisation=organisation, user=user, role=Role.OWNER if index == 0 else Role.EDITOR)
    PreRegistrationFactory(call=call, organisation=organisation, state=PreRegistrationState.DRAFT)
    return call, users


def queued_message(to="an@example.org") -> OutboxMessage:
    now = timezone.now()
    call = CallFactory(opens_at=now - timedelta(days=1), preregistration_deadline=now + timedelta(days=10))
    message = outbox_build(
        to=to,
        template="deadline_changed",
        context={
            "call": call,
            "phase_label": Phase.PREREGISTRATION.label,
            "old_deadline": call.preregistration_deadline,
            "new_deadline": call.preregistration_deadline + timedelta(days=7),
            "note": "",
        },
    )
    message.save()  # saved directly: no send queued on commit, the test sends
    return message


def state(message_id: int) -> dict:
    return OutboxMessage.objects.filter(pk=message_id).values("status", "attempts", "last_error", "sent_at").get()


def wait_for_status(message_id: int, statuses, workers) -> dict:
    return wait_until(
        lambda: (current := state(message_id))["status"] in statuses and current,
        what=f"outbox message {message_id} to become {' or '.join(statuses)} (now {state(message_id)})",
        context=workers.logs,
    )


def test_a_due_reminder_arrives_once_at_the_smtp_server(workers, smtp, drained):
    call, (user,) = call_with_a_due_reminder()
    workers.start()

    reminders_sweep_task.delay()  # what beat does every few minutes

    reminder = wait_until(
        lambda: Reminder.objects.filter(offset_minutes=THREE_HOURS, outbox__status=OutboxStatus.SENT).first(),
        what="the reminder's e-mail to be sent",
        context=workers.logs,
    )
    drained()
    reminders_sweep_task.delay()  # the next beats: nothing new is due
    reminders_sweep_task.delay()
    drained()

    assert smtp.recipients() == [user.email]
    assert smtp.sessions == 1
    (mail,) = smtp.messages
    assert call.title in mail["Subject"]
    assert mail.get_content_type() == "multipart/alternative"
    assert (reminder.recipient, reminder.phase, reminder.status) == (user, Phase.PREREGISTRATION, ReminderStatus.QUEUED)
    assert Reminder.objects.filter(offset_minutes=THREE_HOURS).count() == 1
    # The earlier offsets were long past when the call appeared: recorded as skipped, not sent.
    assert set(Reminder.objects.exclude(offset_minutes=THREE_HOURS).values_list("status", flat=True)) == {ReminderStatus.SKIPPED}
    assert OutboxMessage.objects.count() == 1


def test_two_sweeps_at_once_record_each_reminder_once_and_send_one_email_each(workers, smtp, drained):
    _call, users = call_with_a_due_reminder(members=20)
    workers.start()
    now = timezone.now()
    barrier = threading.Barrier(2)
    results = [None, None]

    def sweep(index):
        try:
            barrier.wait(timeout=10)
            results[index] = reminders_sweep(now=now)
        except Exception as exc:  # inspected below
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a sweep hung"

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(len(r.queued) for r in results) == 20
    assert Reminder.objects.filter(offset_minutes=THREE_HOURS).count() == 20
    assert Reminder.objects.count() == 20 * 5  # 14d, 7d, 2d, 1d skipped; 3h queued
    wait_until(
        lambda: OutboxMessage.objects.filter(status=OutboxStatus.SENT).count() == 20,
        what="20 reminders to be sent",
        context=workers.logs,
    )
    drained()
    assert sorted(smtp.recipients()) == sorted(user.email for user in users)
    assert OutboxMessage.objects.count() == 20


@pytest.mark.parametrize("worker_kind", ["solo", "prefork-2-overlapping"])
def test_the_send_task_delivered_twice_sends_one_email(workers, smtp, drained, broker, worker_kind):
    message = queued_message()
    if worker_kind == "solo":
        workers.start()
        outbox_send.delay(ids=[message.pk])
        outbox_send.delay(ids=[message.pk])
    else:
        # Two processes, the duplicate running while the first is in the SMTP conversation.
        smtp.hold_next_data()
        workers.start(pool="prefork", concurrency=2)
        outbox_send.delay(ids=[message.pk])
        wait_until(smtp.data_held.is_set, what="the first task to be sending", context=workers.logs)
        outbox_send.delay(ids=[message.pk])
        wait_until(
            lambda: broker.llen("celery") == 0 and broker.hlen("unacked") == 1,
            what="the duplicate task to finish while the first one is still sending",
            context=workers.logs,
        )
        smtp.release()

    wait_for_status(message.pk, {OutboxStatus.SENT}, workers)
    drained()

    assert smtp.recipients() == ["an@example.org"]
    final = state(message.pk)
    assert (final["status"], final["attempts"], final["last_error"]) == (OutboxStatus.SENT, 1, "")


def test_an_smtp_refusal_is_retried_with_back_off_and_sent_once(workers, smtp, drained):
    smtp.refuse_next = 1  # "451 try again" to the first DATA
    message = queued_message()
    worker = workers.start()

    outbox_send.delay(ids=[message.pk])

    final = wait_for_status(message.pk, {OutboxStatus.SENT}, workers)
    drained()
    assert (final["status"], final["attempts"], final["last_error"]) == (OutboxStatus.SENT, 2, "")
    assert smtp.refused == 1
    assert smtp.recipients() == ["an@example.org"]
    assert "Retry in 1s" in worker.log()  # OUTBOX_RETRY_BASE_SECONDS=1, first retry


def _reminder_being_sent(workers, smtp, **worker_options):
    """A due reminder whose e-mail the worker is sending: the SMTP server has the message
    and holds its answer. Returns (worker, reminder)."""
    call_with_a_due_reminder()
    smtp.hold_next_data()
    worker = workers.start(**worker_options)
    (reminder,) = reminders_sweep(now=timezone.now()).queued  # queues the send on commit
    wait_until(smtp.data_held.is_set, what="the worker to be in the middle of sending", context=workers.logs)
    current = state(reminder.outbox_id)
    assert (current["status"], current["attempts"]) == (OutboxStatus.SENDING, 1)
    return worker, reminder


def _assert_interrupted_not_resent(reminder, smtp, workers, drained):
    final = wait_for_status(reminder.outbox_id, {OutboxStatus.FAILED, OutboxStatus.SENT}, workers)
    drained()
    # It may have gone out (here the server had it): never a second time, and visible.
    assert smtp.count() == 1
    assert final["status"] == OutboxStatus.FAILED, final
    assert final["last_error"] == INTERRUPTED
    assert final["attempts"] == 1
    assert Reminder.objects.filter(pk=reminder.pk, outbox__status=OutboxStatus.FAILED).exists()


def test_a_worker_killed_while_sending_never_sends_twice(workers, smtp, drained):
    first, reminder = _reminder_being_sent(workers, smtp)

    first.kill()  # SIGKILL the whole worker: its task message stays unacknowledged in Redis
    smtp.release()
    # A worker started later gets the message back once Redis's visibility timeout has
    # passed (an hour in production; one second here).
    second = workers.start(transport_options={"visibility_timeout": 1, "unacked_restore_interval": 1})

    _assert_interrupted_not_resent(reminder, smtp, workers, drained)
    assert "intake.outbox_send" in second.log()


def test_a_worker_process_killed_while_sending_is_redelivered_and_never_sends_twice(workers, smtp, drained):
    worker, reminder = _reminder_being_sent(workers, smtp, pool="prefork", concurrency=1)
    (child,) = worker.children()

    os.kill(child, signal.SIGKILL)  # the pool process dies (OOM killer): the parent stays
    smtp.release()

    # acks_late + reject_on_worker_lost: the parent puts the message back, a new pool
    # process gets it and finds the message "sending".
    _assert_interrupted_not_resent(reminder, smtp, workers, drained)
    assert "WorkerLostError" in worker.log() or "signal 9" in worker.log()
