"""Calls and the rules a dossier must meet: policy priorities, evaluation criteria."""

import re
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from intake.kernel.enums import (
    Phase,
)

# "14d, 7d, 2d, 1d, 3h": the reminder offsets before each deadline (DESIGN.md §6).
DEFAULT_REMINDER_OFFSETS = "14d, 7d, 2d, 1d, 3h"


_OFFSET_RE = re.compile(r"^(\d+)\s*([dhm])$")


_OFFSET_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


def parse_reminder_offsets(text: str) -> list[timedelta]:
    """Parse "14d, 7d, 3h" into timedeltas, largest first. Raises ValidationError."""
    offsets = []
    for part in filter(None, (p.strip() for p in (text or "").split(","))):
        match = _OFFSET_RE.match(part)
        if not match or int(match.group(1)) == 0:
            raise ValidationError(
                _("“%(part)s” is not a reminder offset. Write e.g. 14d, 7d, 2d, 1d, 3h (d = days, h = hours, m = minutes)."),
                code="invalid_offset",
                params={"part": part},
            )
        offsets.append(timedelta(**{_OFFSET_UNITS[match.group(2)]: int(match.group(1))}))
    return sorted(set(offsets), reverse=True)


def validate_reminder_offsets(text: str) -> None:
    parse_reminder_offsets(text)


class PolicyPriority(models.Model):
    """A Flemish policy priority that a network's theme must fit (DESIGN.md §2)."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("policy priority")
        verbose_name_plural = _("policy priorities")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Call(models.Model):
    """A call (oproep) with its two deadlines and the rules a dossier must meet."""

    slug = models.SlugField(
        _("slug"), max_length=80, unique=True, help_text=_("Used in the web address of the call, after /calls/.")
    )
    title = models.CharField(_("title"), max_length=200)
    reference_prefix = models.CharField(
        _("reference prefix"),
        max_length=12,
        unique=True,
        validators=[
            # References such as IBN3-VA-0007 are printed on receipts and typed by people.
            RegexValidator(r"^[A-Z0-9]{2,12}$", _("Use 2 to 12 capital letters or digits, for example IBN3."))
        ],
        help_text=_("Prefix of reference numbers, for example IBN3 → IBN3-VA-0007."),
    )
    # The last pre-registration number handed out (IBN3-VA-0007 → 7). A counter on the call
    # row, moved by one UPDATE at a first submission (services.submissions): cheaper at the
    # deadline than locking the call and reading the highest number of all its rows.
    last_preregistration_number = models.PositiveIntegerField(_("last pre-registration number"), default=0, editable=False)
    summary = models.TextField(_("summary"), blank=True)
    rules_text = models.TextField(_("rules"), blank=True, help_text=_("Shown on the call page; blank lines separate paragraphs."))
    opens_at = models.DateTimeField(_("opens at"), help_text=_("Brussels time."))
    preregistration_deadline = models.DateTimeField(
        _("pre-registration deadline"),
        help_text=_("Brussels time. 12:00 means 12:00:00.000: a submission at that instant is late."),
    )
    dossier_deadline = models.DateTimeField(_("full dossier deadline"), help_text=_("Brussels time."))
    min_mandating_enterprises = models.PositiveIntegerField(
        _("minimum mandating enterprises"), default=30, validators=[MinValueValidator(1)]
    )
    max_support_rate = models.DecimalField(
        _("maximum support rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("50.00"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
        help_text=_("Percentage of the coordination costs."),
    )
    max_subsidy_per_year = models.DecimalField(
        _("maximum subsidy per year (EUR)"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("225000.00"),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    max_duration_years = models.PositiveSmallIntegerField(
        _("maximum duration (years)"), default=3, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    proposal_max_chars = models.PositiveIntegerField(
        _("maximum length of the project proposal (characters)"), default=6000, validators=[MinValueValidator(100)]
    )
    max_attachment_mb = models.PositiveIntegerField(
        _("maximum size per attachment (MB)"), default=10, validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    max_dossier_attachments_mb = models.PositiveIntegerField(
        _("maximum size of all attachments of a dossier (MB)"),
        default=50,
        validators=[MinValueValidator(1), MaxValueValidator(2000)],
    )
    total_threshold_percent = models.DecimalField(
        _("threshold on the total score (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("50.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    reminder_offsets = models.CharField(
        _("reminder offsets"),
        max_length=200,
        default=DEFAULT_REMINDER_OFFSETS,
        validators=[validate_reminder_offsets],
        help_text=_("Before each deadline, comma-separated: d = days, h = hours, m = minutes."),
    )
    policy_priorities = models.ManyToManyField(
        PolicyPriority, verbose_name=_("policy priorities"), related_name="calls", blank=True
    )
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_url = models.URLField(_("contact web page"), blank=True)
    is_published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["preregistration_deadline"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opens_at__lt=models.F("preregistration_deadline"))
                & models.Q(preregistration_deadline__lt=models.F("dossier_deadline")),
                name="call_dates_in_order",
                violation_error_message=_("The dates must be in order: opening < pre-registration deadline < dossier deadline."),
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self._state.adding and kwargs.get("update_fields") is None:
            # The numbering counter moves only by its own UPDATE (services.submissions): a
            # call loaded before a submission (the admin's change form at the deadline) must
            # not write back a stale count, which would hand out a number twice.
            kwargs["update_fields"] = [
                f.name for f in self._meta.concrete_fields if not f.primary_key and f.name != "last_preregistration_number"
            ]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("intake:call_detail", kwargs={"slug": self.slug})

    def clean(self):
        errors = {}
        if self.opens_at and self.preregistration_deadline and not self.opens_at < self.preregistration_deadline:
            errors["preregistration_deadline"] = ValidationError(
                _("The pre-registration deadline must come after the opening moment."), code="deadline_order"
            )
        if self.preregistration_deadline and self.dossier_deadline and not self.preregistration_deadline < self.dossier_deadline:
            errors["dossier_deadline"] = ValidationError(
                _("The dossier deadline must come after the pre-registration deadline."), code="deadline_order"
            )
        if errors:
            raise ValidationError(errors)

    @property
    def reminder_offset_list(self) -> list[timedelta]:
        return parse_reminder_offsets(self.reminder_offsets)

    def phase_deadline(self, phase: str):
        """The call's own deadline of a phase; deadlines.deadline_for() adds extensions."""
        return self.preregistration_deadline if phase == Phase.PREREGISTRATION else self.dossier_deadline


class EvaluationCriterion(models.Model):
    """A criterion of the cluster decree (art. 11) with its weight and threshold."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("call"))
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    weight = models.DecimalField(
        _("weight"), max_digits=5, decimal_places=2, default=Decimal("1.00"), validators=[MinValueValidator(Decimal("0.01"))]
    )
    max_score = models.PositiveSmallIntegerField(_("maximum score"), default=10, validators=[MinValueValidator(1)])
    threshold_percent = models.DecimalField(
        _("threshold (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("50.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("evaluation criterion")
        verbose_name_plural = _("evaluation criteria")
        ordering = ["call", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["call", "name"], name="criterion_name_unique_per_call")]

    def __str__(self):
        return self.name
