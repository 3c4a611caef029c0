"""The outbox: every e-mail the portal sends is rendered into an OutboxMessage row when it
is queued and sent by a Celery task, over one SMTP connection per batch.

Exactly once: a message is *reserved* (queued → sending, committed) before the SMTP
conversation and marked sent after it. An SMTP error puts it back in the queue for a
retry with back-off; a worker killed mid-send leaves it "sending", and the next attempt
marks it failed instead of sending it again — visible in the admin, where a manager can
re-send it deliberately. Never twice, never silently lost."""

import logging
import smtplib
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import mail
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import translation

from intake import deadlines, jobs
from intake.kernel.enums import OutboxStatus
from intake.models import OutboxMessage, UserSettings

logger = logging.getLogger(__name__)

BATCH_SIZE = 100
INTERRUPTED = "Interrupted while being sent (worker stopped): not sent again automatically, to avoid a duplicate."


@dataclass(frozen=True)
class Attachment:
    path: str  # in the default (private) storage
    name: str
    content_type: str


def language_of(user, default: str = "nl") -> str:
    if user is None:
        return default
    language = UserSettings.objects.filter(user=user).values_list("language", flat=True).first()
    return language or default


# Where an e-mail's templates live unless the caller says otherwise (reviews has its own).
TEMPLATE_DIR = "intake/email"


def render_message(*, template: str, context: dict, language: str, template_dir: str = TEMPLATE_DIR) -> tuple[str, str, str]:
    """(subject, text, html) of <template_dir>/<template>.{subject,txt,html} in a language."""
    with translation.override(language):
        context = {**context, "site_url": settings.SITE_URL}
        subject = " ".join(render_to_string(f"{template_dir}/{template}.subject", context).split())
        text = render_to_string(f"{template_dir}/{template}.txt", context)
        html = render_to_string(f"{template_dir}/{template}.html", context)
    return subject[:250], text, html


def outbox_build(
    *,
    to: str,
    template: str,
    context: dict,
    user=None,
    language: str | None = None,
    attachment: Attachment | None = None,
    dedupe_key: str | None = None,
    template_dir: str = TEMPLATE_DIR,
) -> OutboxMessage:
    """An unsaved message, rendered (for bulk creation by the reminder sweep)."""
    language = language or language_of(user)
    subject, text, html = render_message(template=template, context=context, language=language, template_dir=template_dir)
    return OutboxMessage(
        to=to,
        user=user,
        template=template,
        language=language,
        subject=subject,
        body_text=text,
        body_html=html,
        attachment_path=attachment.path if attachment else "",
        attachment_name=attachment.name if attachment else "",
        attachment_type=attachment.content_type if attachment else "",
        dedupe_key=dedupe_key,
    )


def outbox_enqueue(**kwargs) -> OutboxMessage | None:
    """Queue one e-mail and send it after the surrounding transaction commits. With a
    ``dedupe_key`` that was queued before, nothing is queued and None is returned."""
    message = outbox_build(**kwargs)
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:
        if message.dedupe_key and OutboxMessage.objects.filter(dedupe_key=message.dedupe_key).exists():
            return None
        raise
    outbox_send_on_commit([message.pk])
    return message


def outbox_send_on_commit(ids: list[int]) -> None:
    for start in range(0, len(ids), BATCH_SIZE):
        jobs.enqueue_on_commit("intake.outbox_send", ids=ids[start : start + BATCH_SIZE])


# Messages are reserved a slice at a time: one commit per slice instead of one per
# message (a commit waits for the disk; at 10,000 reminders that was half the sending
# time). The price: a sender killed mid-slice leaves up to this many messages "sending",
# each then marked interrupted (never sent twice) though some had not gone out yet.
RESERVE_SLICE = 10


def _reserve(message_ids: list[int], run: str) -> list[int]:
    """queued → sending for those of ``message_ids`` still queued, committed by the caller
    before the SMTP conversation starts (a conditional UPDATE: only one sender can win a
    message). The ids this sender won, in the order given."""
    if not message_ids:
        return []
    OutboxMessage.objects.filter(pk__in=message_ids, status=OutboxStatus.QUEUED).update(
        status=OutboxStatus.SENDING, attempts=F("attempts") + 1, reserved_by=run, reserved_at=deadlines.clock()
    )
    won = set(
        OutboxMessage.objects.filter(pk__in=message_ids, status=OutboxStatus.SENDING, reserved_by=run).values_list(
            "pk", flat=True
        )
    )
    return [i for i in message_ids if i in won]


# An SMTP conversation lasts at most the mailer's timeout (30 s); a reservation older than
# this belongs to a sender that is gone.
STALE_RESERVATION = timedelta(minutes=10)


def _email(message: OutboxMessage) -> mail.EmailMultiAlternatives:
    email = mail.EmailMultiAlternatives(subject=message.subject, body=message.body_text, to=[message.to])
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    if message.attachment_path:
        with default_storage.open(message.attachment_path, "rb") as handle:
            email.attach(message.attachment_name, handle.read(), message.attachment_type)
    return email


def outbox_send_batch(*, ids: list[int], run: str = "") -> dict:
    """Send the queued messages among ``ids`` over one connection. Returns counts. Raises
    the first SMTP error after putting the failed message back in the queue, so that the
    task retries the rest with back-off."""
    run = run or uuid.uuid4().hex
    counts = {"sent": 0, "skipped": 0, "interrupted": 0}
    # A message left "sending" by an interrupted sender may or may not have gone out:
    # don't guess, make it visible. Interrupted means: reserved by this very task (Celery
    # redelivers it with the same id after a worker died) or reserved long ago. A message
    # another task is sending right now is left alone.
    interrupted = (
        OutboxMessage.objects.filter(pk__in=ids, status=OutboxStatus.SENDING)
        .filter(Q(reserved_by=run) | Q(reserved_at__lt=deadlines.clock() - STALE_RESERVATION))
        .update(status=OutboxStatus.FAILED, last_error=INTERRUPTED)
    )
    counts["interrupted"] = interrupted
    messages = {m.pk: m for m in OutboxMessage.objects.filter(pk__in=ids, status=OutboxStatus.QUEUED)}
    if not messages:
        return counts
    connection = mail.mailers.default
    try:
        connection.open()
    except Exception as exc:
        # The server could not be reached: nothing was sent; every message says why.
        OutboxMessage.objects.filter(pk__in=list(messages), status=OutboxStatus.QUEUED).update(
            attempts=F("attempts") + 1, last_error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        raise
    with connection:
        sent: list[int] = []  # marked sent in the same commit that reserves the next slice
        for start in range(0, len(ids), RESERVE_SLICE):
            with transaction.atomic():
                _mark_sent(sent)
                sent = []
                reserved = _reserve([i for i in ids[start : start + RESERVE_SLICE] if i in messages], run)
            counts["skipped"] += min(RESERVE_SLICE, len(ids) - start) - len(reserved)
            for position, message_id in enumerate(reserved):
                try:
                    if not connection.send_messages([_email(messages[message_id])]):
                        raise OSError("the mail server accepted no recipient")
                except Exception as exc:
                    error = f"{type(exc).__name__}: {exc}"[:2000]
                    if _permanent(exc):
                        # This address will never work (5xx): fail this message, not the batch.
                        OutboxMessage.objects.filter(pk=message_id).update(status=OutboxStatus.FAILED, last_error=error)
                        counts["failed"] = counts.get("failed", 0) + 1
                        continue
                    with transaction.atomic():
                        _mark_sent(sent)
                        # This one was tried and not sent; the rest of the slice was not even
                        # tried (its reservation counted no attempt): both back in the queue.
                        OutboxMessage.objects.filter(pk=message_id).update(status=OutboxStatus.QUEUED, last_error=error)
                        OutboxMessage.objects.filter(pk__in=reserved[position + 1 :]).update(
                            status=OutboxStatus.QUEUED, attempts=F("attempts") - 1
                        )
                    raise
                sent.append(message_id)
                counts["sent"] += 1
        _mark_sent(sent)
    return counts


def _permanent(exc: Exception) -> bool:
    """A 5xx answer about this message (refused recipient, rejected content): retrying
    cannot help. 4xx answers and lost connections are retried."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _reason in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500


def _mark_sent(message_ids: list[int]) -> None:
    if message_ids:
        OutboxMessage.objects.filter(pk__in=message_ids).update(
            status=OutboxStatus.SENT, sent_at=deadlines.clock(), last_error=""
        )


def outbox_give_up(*, ids: list[int], error: str) -> None:
    """After the last retry: what is still queued is marked failed, never dropped."""
    OutboxMessage.objects.filter(pk__in=ids, status=OutboxStatus.QUEUED).update(
        status=OutboxStatus.FAILED, last_error=error[:2000]
    )


def outbox_resend(*, ids: list[int]) -> int:
    """Admin action: queue failed messages again (a deliberate choice for interrupted ones)."""
    with transaction.atomic():
        requeue = list(OutboxMessage.objects.filter(pk__in=ids, status=OutboxStatus.FAILED).values_list("pk", flat=True))
        OutboxMessage.objects.filter(pk__in=requeue).update(status=OutboxStatus.QUEUED)
        outbox_send_on_commit(requeue)
    return len(requeue)
