"""The agency's side: reviewer assignments, conflict-of-interest declarations,
admissibility, scores and decisions. Dossier states themselves are written only by
intake.workflow.transition."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Outcome(models.TextChoices):
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")


class Admissibility(models.TextChoices):
    ADMISSIBLE = "admissible", _("admissible")
    INADMISSIBLE = "inadmissible", _("inadmissible")


class ReviewerAssignment(models.Model):
    """A reviewer works on a call — all its dossiers, or only the one named here."""

    call = models.ForeignKey("intake.Call", on_delete=models.CASCADE, related_name="assignments", verbose_name=_("call"))
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_assignments", verbose_name=_("reviewer")
    )
    dossier = models.ForeignKey(
        "intake.Dossier",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("only this dossier"),
        help_text=_("Leave empty to assign the whole call."),
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("assigned at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reviewer assignment")
        verbose_name_plural = _("reviewer assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["call", "reviewer"], condition=models.Q(dossier__isnull=True), name="one_call_assignment_per_reviewer"
            ),
            models.UniqueConstraint(
                fields=["dossier", "reviewer"],
                condition=models.Q(dossier__isnull=False),
                name="one_dossier_assignment_per_reviewer",
            ),
        ]

    def __str__(self):
        return f"{self.reviewer} → {self.dossier or self.call}"


class ConflictDeclaration(models.Model):
    """Declare-then-view: before seeing a dossier's content, a reviewer states whether they
    have a conflict of interest with the organisation."""

    dossier = models.ForeignKey("intake.Dossier", on_delete=models.CASCADE, related_name="conflict_declarations")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conflict_declarations")
    has_conflict = models.BooleanField(_("I have a conflict of interest"))
    note = models.TextField(_("explanation"), blank=True)
    declared_at = models.DateTimeField(_("declared at"), auto_now_add=True)

    class Meta:
        verbose_name = _("conflict-of-interest declaration")
        verbose_name_plural = _("conflict-of-interest declarations")
        constraints = [models.UniqueConstraint(fields=["dossier", "reviewer"], name="one_declaration_per_reviewer")]

    def __str__(self):
        return f"{self.reviewer} · {self.dossier} · {'conflict' if self.has_conflict else 'none'}"


class AdmissibilityReview(models.Model):
    """The manual admissibility decision, with the automatic checklist as it stood."""

    dossier = models.OneToOneField("intake.Dossier", on_delete=models.CASCADE, related_name="admissibility")
    decision = models.CharField(_("decision"), max_length=20, choices=Admissibility.choices)
    motivation = models.TextField(_("motivation"))
    checklist = models.JSONField(_("automatic checklist"), default=list)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        verbose_name = _("admissibility decision")
        verbose_name_plural = _("admissibility decisions")

    def __str__(self):
        return f"{self.dossier} · {self.decision}"


class ScoreSheet(models.Model):
    """One reviewer's scores for one dossier; submitted once complete. Until then the
    reviewer does not see the others' scores."""

    dossier = models.ForeignKey("intake.Dossier", on_delete=models.CASCADE, related_name="score_sheets")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="score_sheets")
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("score sheet")
        verbose_name_plural = _("score sheets")
        constraints = [models.UniqueConstraint(fields=["dossier", "reviewer"], name="one_sheet_per_reviewer")]

    def __str__(self):
        return f"{self.reviewer} · {self.dossier}"


class Score(models.Model):
    sheet = models.ForeignKey(ScoreSheet, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey("intake.EvaluationCriterion", on_delete=models.PROTECT, related_name="scores")
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [models.UniqueConstraint(fields=["sheet", "criterion"], name="one_score_per_criterion")]

    def __str__(self):
        return f"{self.criterion}: {self.score}"


class Decision(models.Model):
    """The call manager's decision on a dossier, told to the applicant."""

    dossier = models.OneToOneField("intake.Dossier", on_delete=models.CASCADE, related_name="decision")
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    motivation = models.TextField(_("motivation"))
    override_reason = models.TextField(
        _("why approved although a rule is not met"), blank=True, help_text=_("Required to approve a dossier below a threshold.")
    )
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self):
        return f"{self.dossier} · {self.outcome}"
