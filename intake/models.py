"""Data of the intake domain: calls and their rules, applicant organisations, the
pre-registration, immutable submissions, extensions and the audit trail.

State fields are written only by workflow.py; time rules live only in deadlines.py."""

import re
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from intake.enums import (
    AttachmentKind,
    DossierState,
    LegalForm,
    OutboxStatus,
    Phase,
    PreRegistrationState,
    ReceiptStatus,
    ReminderStatus,
    Role,
    SubmissionKind,
)
from intake.validators import validate_belgian_postal_code, validate_enterprise_number

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

    slug = models.SlugField(_("slug"), max_length=80, unique=True, help_text=_("Used in the web address: /calls/<slug>/."))
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


class Organisation(models.Model):
    """The applicant (clusterorganisatie): one per Belgian enterprise number."""

    name = models.CharField(_("legal name"), max_length=200)
    enterprise_number = models.CharField(
        _("enterprise number"),
        max_length=10,
        unique=True,
        validators=[validate_enterprise_number],
        help_text=_("Stored as 10 digits; shown as 0403.019.261."),
    )
    legal_form = models.CharField(_("legal form"), max_length=20, choices=LegalForm.choices)
    has_legal_personality = models.BooleanField(_("has legal personality"), default=False)
    street = models.CharField(_("street and number"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=4, validators=[validate_belgian_postal_code])
    municipality = models.CharField(_("municipality"), max_length=100)
    website = models.URLField(_("website"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200)
    contact_email = models.EmailField(_("contact e-mail"))
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="organisations", verbose_name=_("members")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("intake:organisation_detail", kwargs={"pk": self.pk})

    @property
    def enterprise_number_display(self) -> str:
        from intake.validators import format_enterprise_number

        return format_enterprise_number(self.enterprise_number)


class Membership(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.EDITOR)
    created_at = models.DateTimeField(_("member since"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["organisation", "user"], name="one_membership_per_user")]

    def __str__(self):
        return f"{self.user} @ {self.organisation} ({self.role})"


class Invitation(models.Model):
    """An owner invites a colleague by e-mail; the colleague signs up or in and accepts."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.EDITOR)
    token = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("invited at"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.email} → {self.organisation}"


class PreRegistration(models.Model):
    """The mandatory pre-registration (vooraanmelding): one per call and organisation."""

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="preregistrations", verbose_name=_("call"))
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="preregistrations", verbose_name=_("organisation")
    )
    state = models.CharField(
        _("state"), max_length=20, choices=PreRegistrationState.choices, default=PreRegistrationState.DRAFT, editable=False
    )
    # Optimistic lock: every saved draft increments it; a save based on an older version
    # is refused instead of overwriting a colleague's work.
    version = models.PositiveIntegerField(default=1, editable=False)
    number = models.PositiveIntegerField(_("number"), null=True, blank=True, editable=False)

    network_name = models.CharField(_("network name"), max_length=200, blank=True)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    policy_priority = models.ForeignKey(
        PolicyPriority, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("policy priority")
    )
    proposal = models.TextField(_("concise project proposal"), blank=True)
    target_group = models.TextField(_("target group of member companies"), blank=True)
    expected_member_count = models.PositiveIntegerField(_("expected number of member companies"), null=True, blank=True)
    committed_member_count = models.PositiveIntegerField(_("member companies already committed"), null=True, blank=True)
    planned_activities = models.TextField(_("planned activities"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last saved at"), auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    # Fields copied into the snapshot, in this order.
    CONTENT_FIELDS = (
        "network_name",
        "acronym",
        "policy_priority",
        "proposal",
        "target_group",
        "expected_member_count",
        "committed_member_count",
        "planned_activities",
        "contact_name",
        "contact_email",
        "contact_phone",
    )
    REQUIRED_FOR_SUBMIT = tuple(f for f in CONTENT_FIELDS if f != "contact_phone")

    class Meta:
        verbose_name = _("pre-registration")
        verbose_name_plural = _("pre-registrations")
        constraints = [
            models.UniqueConstraint(fields=["call", "organisation"], name="one_preregistration_per_call_and_organisation"),
            models.UniqueConstraint(fields=["call", "number"], name="preregistration_number_unique_per_call"),
        ]

    def __str__(self):
        return f"{self.call.reference_prefix} · {self.organisation}"

    @property
    def reference(self) -> str:
        return f"{self.call.reference_prefix}-VA-{self.number:04d}" if self.number else ""


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
    submitted_at = models.DateTimeField(_("submitted at"))
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


def _money(label):
    return models.DecimalField(label, max_digits=12, decimal_places=2, default=Decimal("0.00"))


class Dossier(models.Model):
    """The full dossier (volledig dossier) of an organisation for a call. It exists only
    once the organisation's pre-registration for that call is submitted."""

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="dossiers", verbose_name=_("call"))
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="dossiers", verbose_name=_("organisation")
    )
    preregistration = models.OneToOneField(
        PreRegistration, on_delete=models.PROTECT, related_name="dossier", verbose_name=_("pre-registration")
    )
    state = models.CharField(_("state"), max_length=20, choices=DossierState.choices, default=DossierState.DRAFT, editable=False)
    # Optimistic locks, one per section: colleagues editing different sections don't
    # block each other; two saves of the same section based on one version conflict.
    section_versions = models.JSONField(default=dict, editable=False)

    # 1. The network
    theme = models.TextField(_("theme of the network"), blank=True)
    priority_fit = models.TextField(_("fit with the chosen policy priority"), blank=True)
    value_chain = models.TextField(_("value chain"), blank=True)
    international_orientation = models.TextField(_("international orientation"), blank=True)
    additionality = models.TextField(_("why a network (additionality)"), blank=True)
    # 4. Governance
    board_composition = models.TextField(_("board of the cluster organisation"), blank=True)
    staff_fte = models.DecimalField(_("staff (FTE)"), max_digits=6, decimal_places=2, null=True, blank=True)
    member_steering = models.TextField(_("how members steer the cluster"), blank=True)
    # 8. Declarations
    declaration_truthful = models.BooleanField(
        _("I declare that the information in this dossier is complete and truthful."), default=False
    )
    declaration_data_processing = models.BooleanField(
        _("I agree that VLAIO processes the data in this dossier to assess the application."), default=False
    )

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last saved at"), auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        constraints = [models.UniqueConstraint(fields=["call", "organisation"], name="one_dossier_per_call_and_organisation")]

    def __str__(self):
        return f"{self.call.reference_prefix} · {self.organisation}"

    def section_version(self, section: str) -> int:
        return int(self.section_versions.get(section, 0))


class Kpi(models.Model):
    """2. A key performance indicator with a target per project year."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="kpis")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("indicator"), max_length=200)
    unit = models.CharField(_("unit"), max_length=60, blank=True)
    # {"1": "10", "2": "20"}: target per project year, as decimal strings
    targets = models.JSONField(_("targets per year"), default=dict)

    class Meta:
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.name


class Activity(models.Model):
    """3. An activity of the action plan, in a project year."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="activities")
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(1)])
    title = models.CharField(_("activity"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["year", "pk"]

    def __str__(self):
        return self.title


class LiveAttachments(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(removed_at__isnull=True)


class Attachment(models.Model):
    """7. A file of the dossier: stored privately, its type decided by content, its
    SHA-256 recorded at upload."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=20, choices=AttachmentKind.choices)
    file = models.FileField(_("file"), upload_to="dossiers/", max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    # Removed from the live dossier after a submitted version certified it: kept for that
    # version (reviewers, receipt), invisible to everything else.
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True, editable=False)

    objects = LiveAttachments()
    all_objects = models.Manager()  # noqa: DJ012 — a manager, not a field

    class Meta:
        base_manager_name = "all_objects"
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["kind", "uploaded_at", "pk"]

    def __str__(self):
        return self.original_name


class Mandate(models.Model):
    """5. An enterprise that mandates the cluster organisation (mandaat)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="mandates")
    enterprise_number = models.CharField(_("enterprise number"), max_length=10, validators=[validate_enterprise_number])
    name = models.CharField(_("name"), max_length=200)
    postal_code = models.CharField(_("postal code of the establishment"), max_length=4, validators=[validate_belgian_postal_code])
    municipality = models.CharField(_("municipality"), max_length=100, blank=True)
    is_sme = models.BooleanField(_("SME"), default=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    letter = models.ForeignKey(
        Attachment, on_delete=models.SET_NULL, null=True, blank=True, related_name="mandates", verbose_name=_("mandate letter")
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("mandating enterprise")
        verbose_name_plural = _("mandating enterprises")
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["dossier", "enterprise_number"], name="mandate_unique_per_dossier")]

    def __str__(self):
        return f"{self.name} ({self.enterprise_number})"


class BudgetYear(models.Model):
    """6. The budget of one project year. Amounts in euro with cents."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="budget_years")
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(1)])
    staff_costs = _money(_("staff costs"))
    operating_costs = _money(_("operating costs"))
    other_costs = _money(_("other costs"))
    member_contributions = _money(_("member contributions"))
    requested_subsidy = _money(_("requested subsidy"))

    class Meta:
        verbose_name = _("budget year")
        verbose_name_plural = _("budget years")
        ordering = ["year"]
        constraints = [models.UniqueConstraint(fields=["dossier", "year"], name="one_budget_per_year")]

    def __str__(self):
        return f"{self.dossier} · {self.year}"

    @property
    def coordination_costs(self) -> Decimal:
        return self.staff_costs + self.operating_costs + self.other_costs


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


class AuditEvent(models.Model):
    """Who did what, when, to which object: every state change, extension and download."""

    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("by")
    )
    action = models.CharField(_("action"), max_length=60)
    call = models.ForeignKey(Call, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.CharField(_("object id"), max_length=40)
    from_state = models.CharField(_("from"), max_length=20, blank=True)
    to_state = models.CharField(_("to"), max_length=20, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.action} {self.object_type}#{self.object_id}"


class UserSettings(models.Model):
    """Per-user preferences the portal needs when the user is not in front of it: the
    language of e-mails sent by the sweep."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="portal_settings")
    language = models.CharField(_("language"), max_length=8, default="nl")

    class Meta:
        verbose_name = _("user settings")
        verbose_name_plural = _("user settings")

    def __str__(self):
        return f"{self.user} ({self.language})"


class CallFollow(models.Model):
    """ "Follow this call": the user gets the pre-registration reminders of the call until
    their organisation pre-registers, or until they stop following."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="follows", verbose_name=_("call"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="call_follows")
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("call follower")
        verbose_name_plural = _("call followers")
        constraints = [models.UniqueConstraint(fields=["call", "user"], name="one_follow_per_user_and_call")]

    def __str__(self):
        return f"{self.user} → {self.call}"


class OutboxMessage(models.Model):
    """Every e-mail the portal sends, rendered when queued and sent by a task. A row is
    the single record of what went to whom, with its status and last error."""

    to = models.EmailField(_("recipient"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    template = models.CharField(_("template"), max_length=60, db_index=True)
    language = models.CharField(_("language"), max_length=8, default="nl")
    subject = models.CharField(_("subject"), max_length=250)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    # A private file sent along (a receipt): path in the default storage, name, type.
    attachment_path = models.CharField(max_length=300, blank=True)
    attachment_name = models.CharField(max_length=120, blank=True)
    attachment_type = models.CharField(max_length=100, blank=True)
    # Makes queuing idempotent: the same key is never queued twice (e.g. receipt:<id>:<to>).
    dedupe_key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.QUEUED, db_index=True
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    # Who reserved it for sending, and when: only that task's redelivery, or a reservation
    # far older than any SMTP conversation, means the sender was interrupted.
    reserved_by = models.CharField(max_length=64, blank=True)
    reserved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("e-mail (outbox)")
        verbose_name_plural = _("e-mails (outbox)")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.template} → {self.to}"


class Reminder(models.Model):
    """One deadline reminder. The unique key (call, phase, offset, recipient) is written
    in the transaction that decides to send, before the e-mail goes out, so a second
    sweep, a retried task or a crashed worker can never send it twice."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="reminders")
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices)
    offset_minutes = models.PositiveIntegerField(_("offset (minutes before the deadline)"))
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    deadline = models.DateTimeField(_("deadline"))
    due_at = models.DateTimeField(_("due at"))
    reason = models.CharField(_("why it is sent"), max_length=20)  # "draft" / "follow" / "dossier"
    status = models.CharField(_("status"), max_length=10, choices=ReminderStatus.choices, default=ReminderStatus.PLANNED)
    sweep = models.CharField(max_length=32, db_index=True)  # which sweep wrote the row
    outbox = models.OneToOneField(OutboxMessage, on_delete=models.SET_NULL, null=True, blank=True, related_name="reminder")
    created_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["call", "phase", "offset_minutes", "recipient"], name="reminder_sent_at_most_once"),
        ]

    def __str__(self):
        return f"{self.call} · {self.phase} · {self.offset_minutes} min · {self.recipient}"
