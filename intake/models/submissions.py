"""Immutable submissions, their receipts, and the extensions that move a deadline."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from intake.kernel.enums import (
    Phase,
    ReceiptStatus,
    SubmissionKind,
)
from intake.models.calls import Call
from intake.models.organisations import Organisation
from intake.models.preregistrations import PreRegistration


class Submission(models.Model):
    """An immutable record of one submission: the canonical snapshot, its SHA-256 and the
    server instant. Receipts certify exactly this row; it is never updated or deleted."""

    kind = models.CharField(_("kind"), max_length=20, choices=SubmissionKind.choices)
    reference = models.CharField(_("reference"), max_length=40, unique=True)
    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="submissions")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="submissions")
    preregistration = models.ForeignKey(
        PreRegistration, on_delete=models.PROTECT, null=True, blank=True, related_name="submissions"
    )
    dossier = models.ForeignKey("Dossier", on_delete=models.PROTECT, null=True, blank=True, related_name="submissions")
    version = models.PositiveIntegerField(_("version"), default=1)
    snapshot = models.TextField(_("canonical snapshot (JSON)"))
    snapshot_sha256 = models.CharField(_("SHA-256 of the snapshot"), max_length=64)
    # The registered moment: when the request reached the portal, the instant the deadline
    # was judged by. ``recorded_at`` is when the portal wrote the row (later under load).
    submitted_at = models.DateTimeField(_("submitted at"))
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    deadline = models.DateTimeField(_("deadline that applied"))
    extension = models.ForeignKey("Extension", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    language = models.CharField(_("language"), max_length=8, default="nl")

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["preregistration", "version"],
                condition=models.Q(preregistration__isnull=False, kind="preregistration"),
                name="one_preregistration_submission_per_version",
            ),
            models.UniqueConstraint(
                fields=["dossier", "version"],
                condition=models.Q(dossier__isnull=False, kind="dossier"),
                name="one_dossier_submission_per_version",
            ),
        ]

    def __str__(self):
        return self.reference

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("A submission is immutable once recorded.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("A submission is immutable and cannot be deleted.")

    @property
    def receipt_or_none(self):
        try:
            return self.receipt
        except Receipt.DoesNotExist:
            return None


class Receipt(models.Model):
    """The ontvangstbewijs of one submission: a PDF/A rendered by a Celery task after the
    submission committed, stored privately, e-mailed once."""

    submission = models.OneToOneField(Submission, on_delete=models.PROTECT, related_name="receipt")
    status = models.CharField(_("status"), max_length=10, choices=ReceiptStatus.choices, default=ReceiptStatus.PENDING)
    pdf = models.FileField(_("PDF"), upload_to="receipts/", blank=True, max_length=300)
    pdf_sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    rendered_at = models.DateTimeField(_("rendered at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        ordering = ["-created_at"]

    def __str__(self):
        return self.submission.reference

    @property
    def is_ready(self) -> bool:
        return self.status == ReceiptStatus.RENDERED


class Extension(models.Model):
    """A later deadline for one organisation in one phase, granted by a call manager."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="extensions", verbose_name=_("call"))
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="extensions", verbose_name=_("organisation")
    )
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices)
    deadline = models.DateTimeField(_("extended deadline"), help_text=_("Brussels time."))
    reason = models.TextField(_("reason"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("granted by"), editable=False
    )
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        constraints = [
            models.UniqueConstraint(fields=["call", "organisation", "phase"], name="one_extension_per_phase"),
        ]

    def __str__(self):
        return f"{self.organisation} · {self.get_phase_display()} → {self.deadline:%Y-%m-%d %H:%M}"

    def clean(self):
        if self.call_id and self.phase and self.deadline and self.deadline <= self.call.phase_deadline(self.phase):
            raise ValidationError(
                {"deadline": _("An extension must end later than the call's own deadline for this phase.")},
                code="extension_not_later",
            )
        if self.reason is not None and not self.reason.strip():
            raise ValidationError({"reason": _("State why the extension is granted.")}, code="reason_required")
