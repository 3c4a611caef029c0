"""The pre-registration (vooraanmelding)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from intake.kernel.enums import (
    PreRegistrationState,
)
from intake.models.calls import Call, PolicyPriority
from intake.models.organisations import Organisation


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
    def is_submitted(self) -> bool:
        return self.state == PreRegistrationState.SUBMITTED

    @property
    def reference(self) -> str:
        return f"{self.call.reference_prefix}-VA-{self.number:04d}" if self.number else ""
