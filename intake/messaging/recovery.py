"""Work that was recorded but never reached a worker: a receipt or an e-mail whose task
could not be queued (the broker was down at the moment of commit). Beat looks every few
minutes and queues it again; the tasks are idempotent, so a second dispatch is harmless."""

from datetime import timedelta

from intake import deadlines, jobs
from intake.kernel.enums import OutboxStatus, ReceiptStatus
from intake.messaging.outbox import BATCH_SIZE
from intake.models import OutboxMessage, Receipt

# Long enough for a healthy queue to have picked the work up, short enough for a receipt
# to arrive the same morning.
GRACE = timedelta(minutes=5)


def stuck_receipts(*, now=None) -> list[int]:
    before = (now or deadlines.clock()) - GRACE
    return list(
        Receipt.objects.filter(status=ReceiptStatus.PENDING, created_at__lt=before).values_list("submission_id", flat=True)
    )


def stuck_messages(*, now=None) -> list[int]:
    # A message waiting for an SMTP retry is queued too; sending it a little early is
    # harmless (the reservation still guarantees one send).
    before = (now or deadlines.clock()) - GRACE
    return list(
        OutboxMessage.objects.filter(status=OutboxStatus.QUEUED, created_at__lt=before, reserved_at__isnull=True).values_list(
            "pk", flat=True
        )
    )


def redispatch(*, now=None) -> tuple[int, int]:
    receipts = stuck_receipts(now=now)
    for submission_id in receipts:
        jobs.enqueue("intake.receipt_render", submission_id=submission_id)
    messages = stuck_messages(now=now)
    for start in range(0, len(messages), BATCH_SIZE):
        jobs.enqueue("intake.outbox_send", ids=messages[start : start + BATCH_SIZE])
    return len(receipts), len(messages)
