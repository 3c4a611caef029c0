"""Receipts (ontvangstbewijzen): tagged PDF/A-3a documents rendered by WeasyPrint from a
Django template, with the canonical snapshot embedded as a JSON attachment, so the receipt
carries the machine-readable record it certifies (DESIGN.md §5).

``receipt_produce`` is what the Celery task runs. It is idempotent: a retried or
duplicated task finds the receipt rendered and e-mailed and does nothing, because each
step runs under a lock on the receipt row and records that it is done."""

import functools
import hashlib
import io
import json
import logging
import threading
from urllib import request

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from intake import deadlines, jobs
from intake.kernel.enums import ReceiptStatus, Role, SubmissionKind
from intake.messaging.outbox import Attachment, outbox_enqueue
from intake.models import Membership, Receipt, Submission
from intake.rules.budget import budget_totals, years_from_content
from intake.rules.registry import registry_checked_label
from intake.rules.snapshots import representation_established
from intake.selectors.calls import call_contact

logger = logging.getLogger(__name__)

SNAPSHOT_NAME = "snapshot.json"
# PDF/A-3: archival, and allows embedded files (the snapshot). Level A ("accessible") on top
# of B: WeasyPrint writes the structure tree (headings, paragraphs, lists, the link) and
# marks the PDF as tagged, so a screen reader reads the receipt in order, as EN 301 549
# asks of documents too; text maps to Unicode, and the language comes from <html lang>.
PDF_VARIANT = "pdf/a-3a"


def verification_url(submission) -> str:
    return f"{settings.SITE_URL}{reverse('intake:receipt_verify')}?reference={submission.reference}"


def receipt_issuer(call) -> dict:
    """Who issues the receipt: the agency (settings) and where to ask about the call."""
    contact = call_contact(phone=call.contact_phone, email=call.contact_email, url=call.contact_url)
    return {
        "name": settings.AGENCY_NAME,
        "short_name": settings.AGENCY_SHORT_NAME,
        "address": settings.AGENCY_ADDRESS,
        "phone": contact["phone"],
        "email": contact["email"],
    }


def receipt_context(submission) -> dict:
    """What the receipt prints, read from the immutable snapshot (never the live data)."""
    snapshot = json.loads(submission.snapshot)
    context = {
        "submission": submission,
        "agency": receipt_issuer(submission.call),
        "snapshot": snapshot,
        "representation": representation_established(snapshot),
        "is_dossier": submission.kind == SubmissionKind.DOSSIER,
        "verification_url": verification_url(submission),
        "extension": submission.extension,
    }
    if submission.kind == SubmissionKind.PREREGISTRATION:
        content = snapshot["content"]
        context.update(
            title=content["network_name"],
            acronym=content["acronym"],
            policy_priority=(content["policy_priority"] or {}).get("name", ""),
        )
    else:
        content = snapshot["content"]
        context.update(
            title=snapshot.get("network_name", ""),
            acronym=snapshot.get("acronym", ""),
            policy_priority=snapshot.get("policy_priority") or "",
            mandates_counted=snapshot.get("mandating_enterprises_counted"),
            registry_checked=registry_checked_label(snapshot["registry"]) if snapshot.get("registry") else "",
            budget=budget_totals(years_from_content(content)),
            attachments=content["attachments"],
        )
    return context


def receipt_html(submission) -> str:
    with translation.override(submission.language or "nl"):
        return render_to_string("intake/receipt.html", receipt_context(submission))


@functools.cache
def _no_network_fetcher():
    """A URL fetcher that fetches nothing. A receipt is self-contained (no images, no
    external CSS), so refusing every URL closes the door to server-side requests from
    user-supplied text; and WeasyPrint's default fetcher builds an SSL context for every
    HTML and every attachment, about 25 ms each on this machine, a third of a render."""
    from weasyprint.urls import URLFetcher  # noqa: PLC0415 -- WeasyPrint loads Pango and fonts: only processes that render pay for it

    class NoNetworkFetcher(URLFetcher):
        def __init__(self):
            request.OpenerDirector.__init__(self)  # no handlers: nothing to build

        def fetch(self, url, headers=None):
            raise ValueError(f"receipts load no external resources: {url[:80]}")

    return NoNetworkFetcher()


_fonts = threading.local()


def _font_config():
    """One WeasyPrint font configuration per thread, kept between renders. A new one per
    render (WeasyPrint's default) loads Fontconfig and builds a fresh Pango font map, whose
    fonts and shaping caches then start empty: about 12 ms of a receipt's 80, as much as
    the tags cost. Per thread, because a Pango font map is not made to be shared between
    threads; the output is byte for byte the same."""
    config = getattr(_fonts, "config", None)
    if config is None:
        from weasyprint.text.fonts import FontConfiguration  # noqa: PLC0415 -- WeasyPrint loads Pango and fonts: only processes that render pay for it

        config = _fonts.config = FontConfiguration()
    return config


def receipt_pdf(submission) -> bytes:
    """Render the receipt. Deterministic for a submission: the PDF identifier and the
    creation date come from the snapshot, not from the moment of rendering."""
    from weasyprint import HTML  # noqa: PLC0415 -- WeasyPrint loads Pango and fonts: only processes that render pay for it
    from weasyprint import Attachment as PdfAttachment  # noqa: PLC0415 -- as above

    fetcher = _no_network_fetcher()
    snapshot_bytes = submission.snapshot.encode("utf-8")
    return HTML(string=receipt_html(submission), url_fetcher=fetcher).write_pdf(
        pdf_variant=PDF_VARIANT,
        font_config=_font_config(),
        pdf_identifier=submission.snapshot_sha256[:32].encode("ascii"),
        attachments=[
            PdfAttachment(
                string=snapshot_bytes,
                url_fetcher=fetcher,
                name=SNAPSHOT_NAME,
                description=f"Canonical snapshot of {submission.reference} (SHA-256 {submission.snapshot_sha256})",
                created=submission.submitted_at,
                modified=submission.submitted_at,
                relationship="Source",
            )
        ],
    )


def _receipt_row(submission_id: int) -> Receipt:
    try:
        with transaction.atomic():
            receipt, _created = Receipt.objects.get_or_create(submission_id=submission_id)
    except IntegrityError:  # a duplicated task created it a moment ago
        receipt = Receipt.objects.get(submission_id=submission_id)
    return receipt


def receipt_produce(*, submission_id: int) -> Receipt:
    """Render, store and e-mail the receipt of a submission, each at most once."""
    receipt = _receipt_row(submission_id)
    try:
        with transaction.atomic():
            receipt = Receipt.objects.select_for_update().get(pk=receipt.pk)
            if receipt.status != ReceiptStatus.RENDERED:
                _render_into(receipt)
    except Exception as exc:
        # Recorded outside the rolled-back transaction, so managers see why it failed.
        Receipt.objects.filter(pk=receipt.pk).update(
            status=ReceiptStatus.FAILED, attempts=F("attempts") + 1, last_error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        raise
    with transaction.atomic():
        receipt = Receipt.objects.select_for_update().select_related("submission").get(pk=receipt.pk)
        if receipt.emailed_at is None:
            # Queued in the outbox under a key per receipt and recipient, and marked in the
            # same transaction: a duplicate task finds it done and queues nothing.
            receipt_email(receipt)
            receipt.emailed_at = deadlines.clock()
            receipt.save(update_fields=["emailed_at"])
    return receipt


def _render_into(receipt: Receipt) -> None:
    submission = Submission.objects.select_related("call", "organisation", "submitted_by", "extension").get(
        pk=receipt.submission_id
    )
    pdf = receipt_pdf(submission)
    if receipt.pdf:
        receipt.pdf.delete(save=False)
    receipt.pdf.save(f"{submission.reference}.pdf", ContentFile(pdf), save=False)
    receipt.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    receipt.size = len(pdf)
    receipt.status = ReceiptStatus.RENDERED
    receipt.attempts += 1
    receipt.last_error = ""
    receipt.rendered_at = deadlines.clock()
    receipt.save()


def receipt_recipients(submission) -> list[str]:
    owners = Membership.objects.filter(organisation=submission.organisation, role=Role.OWNER).values_list(
        "user__email", flat=True
    )
    return sorted({submission.submitted_by.email, *owners})


def receipt_email(receipt: Receipt) -> None:
    """Queue the receipt e-mail (PDF attached) to the submitter and the owners."""
    submission = receipt.submission
    attachment = Attachment(path=receipt.pdf.name, name=f"{submission.reference}.pdf", content_type="application/pdf")
    context = {
        "submission": submission,
        "page_url": settings.SITE_URL + reverse("receipt_download", kwargs={"reference": submission.reference}),
    }
    for address in receipt_recipients(submission):
        outbox_enqueue(
            to=address,
            template="submission_confirmation",
            context=context,
            language=submission.language or "nl",
            attachment=attachment,
            dedupe_key=f"receipt:{receipt.pk}:{address}",
        )


def receipt_requeue(*, receipt: Receipt) -> None:
    """Queue the rendering again (admin action for a failed receipt)."""
    Receipt.objects.filter(pk=receipt.pk).update(status=ReceiptStatus.PENDING)
    jobs.enqueue_on_commit("intake.receipt_render", submission_id=receipt.submission_id)


# --- Verification ---------------------------------------------------------------------------


def read_receipt_pdf(data: bytes) -> tuple[str, str] | None:
    """(reference, SHA-256 of the embedded snapshot) from a receipt PDF, or None."""
    try:
        reader = PdfReader(io.BytesIO(data))
        embedded = reader.attachments.get(SNAPSHOT_NAME)
    except (PdfReadError, ValueError, KeyError, TypeError, OSError):
        return None
    if not embedded:
        return None
    snapshot = embedded[0]
    try:
        data = json.loads(snapshot.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None
    # Anyone can upload anything: only a JSON object with a textual reference is a receipt.
    reference = data.get("reference") if isinstance(data, dict) else None
    if not isinstance(reference, str) or not reference.strip():
        return None
    return reference, hashlib.sha256(snapshot).hexdigest()
