"""Applicant organisations, the people who act for them and invitations to join."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from intake.kernel.enums import (
    ClaimKind,
    ClaimState,
    LegalForm,
    Role,
    VerificationMethod,
    VerificationState,
)
from intake.kernel.validators import format_enterprise_number, validate_belgian_postal_code, validate_enterprise_number


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
    # Written only by intake.workflow.organisation_verification_transition.
    verification_state = models.CharField(
        _("verification"), max_length=12, choices=VerificationState.choices, default=VerificationState.UNVERIFIED
    )
    verified_at = models.DateTimeField(_("verification decided at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    verification_note = models.TextField(_("verification note"), blank=True)
    # Who verified: a call manager (agency) or a member's own sign-in through the
    # government's identity service (login). Written with the state, by intake.workflow.
    verification_method = models.CharField(_("verified through"), max_length=10, choices=VerificationMethod.choices, blank=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        # Deciding who acts for an organisation, without the right to edit its details.
        permissions = [("verify_organisation", _("Can verify claims on organisations"))]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("intake:organisation_detail", kwargs={"pk": self.pk})

    @property
    def enterprise_number_display(self) -> str:
        return format_enterprise_number(self.enterprise_number)

    @property
    def is_verified(self) -> bool:
        return self.verification_state == VerificationState.VERIFIED


class Membership(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.EDITOR)
    created_at = models.DateTimeField(_("member since"), auto_now_add=True)
    # Set when a sign-in through an identity provider said the person acts for the
    # organisation (intake.services.representation): which provider, which person there
    # (its ``sub``), in which role, and when it last said so. Empty: added in the portal.
    login_provider = models.CharField(_("asserted by the sign-in of"), max_length=100, blank=True)
    login_provider_name = models.CharField(_("identity service"), max_length=200, blank=True)
    # True when the sign-in made this membership (it ends when the sign-in no longer says so);
    # False when it was made in the portal and a sign-in only confirmed it (then only the
    # confirmation ends).
    login_created = models.BooleanField(_("made by the sign-in"), default=False)
    login_subject = models.CharField(_("person at the identity provider"), max_length=255, blank=True)
    login_role = models.CharField(_("role asserted by the sign-in"), max_length=200, blank=True)
    login_asserted_at = models.DateTimeField(_("last asserted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["organisation", "user"], name="one_membership_per_user")]

    def __str__(self):
        return f"{self.user} @ {self.organisation} ({self.role})"

    @property
    def asserted_by_login(self) -> bool:
        return bool(self.login_provider)


class Invitation(models.Model):
    """An owner invites a colleague by e-mail; the colleague signs up or in and accepts."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.EDITOR)
    token = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("invited at"), auto_now_add=True)
    # Set at creation (settings.INVITATION_VALID_DAYS); intake.deadlines judges it.
    expires_at = models.DateTimeField(_("valid until"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.email} → {self.organisation}"


def _evidence_path(instance, filename):
    return f"organisations/{instance.organisation_id}/{filename}"


class OrganisationEvidence(models.Model):
    """A document that shows a person acts for the organisation (a mandate or its articles
    of association), for the call manager who verifies a claim. PDF only, judged by
    intake.rules.files like a dossier's letters; stored privately, downloaded only by the
    organisation's members and call managers."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("organisation")
    )
    # The claim it supports when a second claimant contests; empty for the owners' own claim.
    claim = models.ForeignKey(
        "OrganisationClaim", on_delete=models.CASCADE, null=True, blank=True, related_name="evidence", verbose_name=_("claim")
    )
    file = models.FileField(_("file"), upload_to=_evidence_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence of a claim")
        verbose_name_plural = _("evidence of claims")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name


class OrganisationClaim(models.Model):
    """A second person who claims an enterprise number already in the portal: a request to
    join (the owners or a call manager accept it) or a contest of the current claim (a
    call manager decides). Its state is written only by intake.workflow."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="claims", verbose_name=_("organisation")
    )
    claimant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("claimant"))
    kind = models.CharField(_("kind"), max_length=10, choices=ClaimKind.choices)
    state = models.CharField(_("state"), max_length=12, choices=ClaimState.choices, default=ClaimState.OPEN)
    motivation = models.TextField(_("motivation"), blank=True)
    created_at = models.DateTimeField(_("claimed at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        verbose_name = _("claim on an organisation")
        verbose_name_plural = _("claims on organisations")
        ordering = ["-created_at"]
        constraints = [
            # One open claim per person and organisation: a second click is the same request.
            models.UniqueConstraint(
                fields=["organisation", "claimant"], condition=models.Q(state="open"), name="one_open_claim_per_claimant"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.claimant} → {self.organisation}"
