"""The full dossier (volledig dossier) and its sections' rows: KPIs, activities, attachments,
mandating enterprises and budget years."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from intake.kernel.enums import AttachmentKind, DossierSection, DossierState
from intake.kernel.validators import validate_belgian_postal_code, validate_enterprise_number
from intake.models.calls import Call
from intake.models.organisations import Organisation
from intake.models.preregistrations import PreRegistration

# The text fields of each form section of the dossier (the other sections have rows of
# their own): what a section's form saves, and what the snapshot copies.
SECTION_FIELDS = {
    DossierSection.NETWORK: ("theme", "priority_fit", "value_chain", "international_orientation", "additionality"),
    DossierSection.GOVERNANCE: ("board_composition", "staff_fte", "member_steering"),
    DossierSection.DECLARATIONS: ("declaration_truthful", "declaration_data_processing"),
}


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
