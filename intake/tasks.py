"""Celery entry points of intake: ids in, one call of a messaging function. They are
queued by name through intake.jobs, so nothing below imports this module."""

from celery import shared_task
from django.conf import settings

from intake.messaging.outbox import outbox_give_up, outbox_send_batch
from intake.messaging.receipts import receipt_produce
from intake.messaging.recovery import redispatch
from intake.messaging.reminders import reminders_sweep as sweep
from intake.services.registry import registry_apply_drops


@shared_task(
    name="intake.receipt_render",
    ignore_result=True,  # the Receipt row is the result
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=10,
)
def receipt_render(*, submission_id: int) -> None:
    """Render, store and e-mail a submission's receipt. Idempotent: a retried or
    duplicated task never makes a second receipt or sends a second e-mail."""
    receipt_produce(submission_id=submission_id)


@shared_task(bind=True, name="intake.outbox_send", ignore_result=True, acks_late=True, reject_on_worker_lost=True, max_retries=8)
def outbox_send(self, *, ids: list[int]) -> None:
    """Send a batch of outbox messages over one SMTP connection; retried with back-off on
    SMTP failure, and what is still unsent after the last retry is marked failed."""
    try:
        outbox_send_batch(ids=ids, run=self.request.id or "")
    except Exception as exc:
        if self.request.retries >= self.max_retries:
            outbox_give_up(ids=ids, error=f"{type(exc).__name__}: {exc}")
            return
        countdown = min(600, settings.OUTBOX_RETRY_BASE_SECONDS * 2**self.request.retries)
        raise self.retry(exc=exc, countdown=countdown) from exc


@shared_task(name="intake.reminders_sweep", ignore_result=True)
def reminders_sweep() -> None:
    """Run by beat on a plain UTC interval: decide, record and queue due reminders."""
    sweep()


@shared_task(name="intake.redispatch_stuck", ignore_result=True)
def redispatch_stuck() -> None:
    """Run by beat: queue again receipts and e-mails whose task never reached a worker."""
    redispatch()


@shared_task(name="intake.registry_apply_drops", ignore_result=True)
def registry_drops() -> None:
    """Run by beat when KBO_DROP_DIR is set: load the KBO extracts dropped there that are
    newer than the loaded one. A refused file is logged by Celery and tried again next time;
    the previous extract stays in use."""
    registry_apply_drops()
