"""The admin site: where call managers configure calls, priorities, criteria and
extensions without a developer. Submissions and audit events are read-only here."""

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.forms.models import BaseInlineFormSet
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from intake import deadlines
from intake.kernel.enums import ClaimState, Phase, ReceiptStatus, Role, VerificationState
from intake.kernel.errors import DomainError
from intake.kernel.formatting import format_brussels, format_euro, format_percent
from intake.messaging.outbox import outbox_resend
from intake.messaging.receipts import receipt_requeue
from intake.models import (
    AuditEvent,
    Call,
    CallFollow,
    EvaluationCriterion,
    Extension,
    Invitation,
    Membership,
    Organisation,
    OrganisationClaim,
    OrganisationEvidence,
    OutboxMessage,
    PolicyPriority,
    PreRegistration,
    Receipt,
    RegistryExtract,
    Reminder,
    Submission,
)
from intake.selectors.organisations import registry_facts
from intake.services import extensions, verification
from intake.web.files import evidence_response
from intake.web.forms.fields import EuroField, PercentField


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records that only the portal writes (submissions, audit events, outbox...): the
    admin shows them and never changes them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class BelgianNumbersAdmin:
    """Amounts and percentages typed and shown as the applicants' forms do: "225.000,00"
    beside a "€", "50" beside a "%" (the model's own validators still judge the value)."""

    amount_fields: tuple[str, ...] = ()
    percent_fields: tuple[str, ...] = ()

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in self.amount_fields:
            return db_field.formfield(form_class=EuroField, **kwargs)
        if db_field.name in self.percent_fields:
            return db_field.formfield(form_class=PercentField, **kwargs)
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class LabelledRowsFormSet(BaseInlineFormSet):
    """A tabular inline shows each field's label once, as a column header, which names none
    of the controls below it (axe-core: "Form elements must have labels"). Each visible
    control of a row is named after its column and its row: "Gewicht, rij 2"."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        row = index + 1 if index is not None else pgettext("a row added in the admin", "new")
        for field in form.fields.values():
            if not field.widget.is_hidden:
                field.widget.attrs["aria-label"] = gettext("%(column)s, row %(row)s") % {"column": field.label, "row": row}


class LabelledTabularInline(admin.TabularInline):
    formset = LabelledRowsFormSet


class EvaluationCriterionInline(BelgianNumbersAdmin, LabelledTabularInline):
    percent_fields = ("threshold_percent",)
    model = EvaluationCriterion
    extra = 0
    fields = ("position", "name", "description", "weight", "max_score", "threshold_percent")
    # A few lines, as wide as its cell (static/css/admin.css): the row stays on the screen.
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 4, "cols": 30})}}


@admin.register(Call)
class CallAdmin(BelgianNumbersAdmin, admin.ModelAdmin):
    list_display = (
        "title",
        "reference_prefix",
        "is_published",
        "prereg_deadline_display",
        "dossier_deadline_display",
        "support_rate_display",
        "ceiling_display",
        "status",
    )
    amount_fields = ("max_subsidy_per_year",)
    percent_fields = ("max_support_rate", "total_threshold_percent")
    list_filter = ("is_published",)
    search_fields = ("title", "slug", "reference_prefix")
    prepopulated_fields = {"slug": ("title",)}
    # Checkboxes, not the two-list filter widget: a handful of priorities, and that widget's
    # search icons carry an aria-label on a span (axe-core: aria-prohibited-attr).
    formfield_overrides = {models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}}
    inlines = [EvaluationCriterionInline]
    fieldsets = (
        (None, {"fields": ("title", "slug", "reference_prefix", "is_published", "summary", "rules_text")}),
        (_("Deadlines (Brussels time)"), {"fields": ("opens_at", "preregistration_deadline", "dossier_deadline")}),
        (
            _("Rules"),
            {
                "fields": (
                    "min_mandating_enterprises",
                    "max_support_rate",
                    "max_subsidy_per_year",
                    "max_duration_years",
                    "proposal_max_chars",
                    "total_threshold_percent",
                    "policy_priorities",
                )
            },
        ),
        (_("Reminders"), {"fields": ("reminder_offsets",)}),
        (_("Contact"), {"fields": ("contact_phone", "contact_email", "contact_url")}),
    )

    def save_model(self, request, obj, form, change):
        previous = (
            Call.objects.filter(pk=obj.pk).values("preregistration_deadline", "dossier_deadline").first() if change else None
        )
        super().save_model(request, obj, form, change)
        if previous and obj.is_published:
            for phase, field in ((Phase.PREREGISTRATION, "preregistration_deadline"), (Phase.DOSSIER, "dossier_deadline")):
                if previous[field] != getattr(obj, field):
                    count = extensions.call_deadline_changed(
                        call=obj, phase=phase, old_deadline=previous[field], actor=request.user
                    )
                    self.message_user(request, _("Deadline changed: %(n)d people are told by e-mail.") % {"n": count})

    @admin.display(description=_("pre-registration deadline"), ordering="preregistration_deadline")
    def prereg_deadline_display(self, obj):
        return format_brussels(obj.preregistration_deadline)

    @admin.display(description=_("dossier deadline"), ordering="dossier_deadline")
    def dossier_deadline_display(self, obj):
        return format_brussels(obj.dossier_deadline)

    @admin.display(description=_("maximum support rate"), ordering="max_support_rate")
    def support_rate_display(self, obj):
        return format_percent(obj.max_support_rate)

    @admin.display(description=_("maximum subsidy per year"), ordering="max_subsidy_per_year")
    def ceiling_display(self, obj):
        return format_euro(obj.max_subsidy_per_year)

    @admin.display(description=_("status"))
    def status(self, obj):
        summaries = deadlines.call_summaries(obj)
        return " / ".join(f"{s.phase}: {s.status}" for s in summaries.values())


@admin.register(PolicyPriority)
class PolicyPriorityAdmin(admin.ModelAdmin):
    list_display = ("name", "code")
    search_fields = ("name", "code")
    prepopulated_fields = {"code": ("name",)}


class MembershipInline(LabelledTabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ("user",)
    # What a sign-in said (intake.services.representation): a record, not something to edit.
    readonly_fields = ("login_provider", "login_role", "login_asserted_at")
    exclude = ("login_subject",)


class VerdictForm(forms.Form):
    note = forms.CharField(
        label=_("note to the members"), required=False, widget=forms.Textarea(attrs={"rows": 3, "class": "vLargeTextField"})
    )


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "enterprise_number_display", "verification_state", "open_claims", "postal_code", "municipality")
    list_filter = ("verification_state",)
    search_fields = ("name", "enterprise_number")
    inlines = [MembershipInline]
    # The verdict is given on the verification page, audited; not typed into a field.
    readonly_fields = ("verification_state", "verified_at", "verified_by", "verification_note", "verification_link")

    @admin.display(description=_("open claims"))
    def open_claims(self, obj):
        return obj.claims.filter(state=ClaimState.OPEN).count() or ""

    @admin.display(description=_("verification page"))
    def verification_link(self, obj):
        if obj.pk is None:
            return ""
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:intake_organisation_verification", args=[obj.pk]), gettext("Verify the claim")
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/verification/",
                self.admin_site.admin_view(self.verification_view),
                name="intake_organisation_verification",
            ),
            path(
                "<int:pk>/evidence/<int:evidence_pk>/",
                self.admin_site.admin_view(self.evidence_view),
                name="intake_organisation_evidence",
            ),
            *super().get_urls(),
        ]

    def _may_decide(self, request):
        return request.user.has_perm("intake.verify_organisation")

    def evidence_view(self, request, pk, evidence_pk):
        if not self.has_view_permission(request):
            raise Http404
        evidence = get_object_or_404(OrganisationEvidence, organisation_id=pk, pk=evidence_pk)
        try:
            return evidence_response(evidence)
        except FileNotFoundError:
            raise Http404 from None

    def verification_view(self, request, pk):
        """One page for the verdict: who claims, with what evidence, what the register says;
        then Verify / Reject, and a decision on each open claim of someone else."""
        if not self.has_view_permission(request):
            raise Http404
        organisation = get_object_or_404(Organisation, pk=pk)
        form = VerdictForm(request.POST or None)
        if request.method == "POST" and self._may_decide(request) and form.is_valid():
            note = form.cleaned_data["note"]
            action = request.POST.get("action", "")
            try:
                if action == "verify":
                    verification.organisation_verify(organisation_id=pk, actor=request.user, note=note)
                    messages.success(request, gettext("The organisation is verified."))
                elif action == "reject":
                    verification.organisation_reject(organisation_id=pk, actor=request.user, note=note)
                    messages.success(request, gettext("The claim is rejected."))
                elif action.startswith("claim-"):
                    claim_id, _sep, decision = action.removeprefix("claim-").partition("-")
                    claim = get_object_or_404(OrganisationClaim, organisation=organisation, pk=int(claim_id))
                    verification.claim_decide(claim_id=claim.pk, actor=request.user, decision=decision, note=note)
                    messages.success(request, gettext("The claim is decided."))
                else:
                    raise DomainError(gettext("Choose a decision."))
            except (DomainError, ValueError) as exc:
                messages.error(request, getattr(exc, "message", gettext("Choose a decision.")))
            else:
                return redirect("admin:intake_organisation_verification", pk=pk)
        claims = organisation.claims.select_related("claimant", "decided_by").prefetch_related("evidence")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Verify the claim on %(name)s") % {"name": organisation.name},
            "organisation": organisation,
            "owners": organisation.memberships.filter(role=Role.OWNER).select_related("user"),
            "evidence": organisation.evidence.filter(claim__isnull=True).select_related("uploaded_by"),
            "registry": registry_facts(organisation),
            "open_claims": [c for c in claims if c.state == ClaimState.OPEN],
            "decided_claims": [c for c in claims if c.state != ClaimState.OPEN],
            "form": form,
            "may_decide": self._may_decide(request),
            "can_verify": organisation.verification_state != VerificationState.VERIFIED,
            "can_reject": organisation.verification_state == VerificationState.UNVERIFIED,
        }
        return TemplateResponse(request, "admin/intake/organisation/verification.html", context)


@admin.register(OrganisationClaim)
class OrganisationClaimAdmin(ReadOnlyAdmin):
    """The queue: open claims first. Decisions are taken on the organisation's
    verification page, where the evidence of both sides is."""

    list_display = ("organisation", "kind", "claimant", "state", "created_at")
    list_filter = ("state", "kind")
    search_fields = ("organisation__name", "organisation__enterprise_number", "claimant__email")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "organisation", "role", "created_at", "expires_at", "accepted_at")
    readonly_fields = ("organisation", "email", "role", "invited_by", "created_at", "accepted_at", "accepted_by")


@admin.register(PreRegistration)
class PreRegistrationAdmin(ReadOnlyAdmin):
    list_display = ("organisation", "call", "acronym", "state", "reference", "submitted_at")
    list_filter = ("call", "state")
    search_fields = ("organisation__name", "organisation__enterprise_number", "acronym", "network_name")
    readonly_fields = [f.name for f in PreRegistration._meta.fields]


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    list_display = ("reference", "kind", "organisation", "call", "submitted_at", "snapshot_sha256")
    list_filter = ("kind", "call")
    search_fields = ("reference", "organisation__name", "snapshot_sha256")
    readonly_fields = [f.name for f in Submission._meta.fields]


@admin.register(Extension)
class ExtensionAdmin(admin.ModelAdmin):
    list_display = ("organisation", "call", "phase", "deadline_display", "granted_by", "granted_at")
    list_filter = ("call", "phase")
    search_fields = ("organisation__name", "organisation__enterprise_number")
    autocomplete_fields = ("organisation",)
    readonly_fields = ("granted_by", "granted_at")

    @admin.display(description=_("extended deadline"), ordering="deadline")
    def deadline_display(self, obj):
        return format_brussels(obj.deadline)

    def save_model(self, request, obj, form, change):
        previous = Extension.objects.filter(pk=obj.pk).values_list("deadline", flat=True).first() if change else None
        if not change:
            obj.granted_by = request.user
        super().save_model(request, obj, form, change)
        event = extensions.extension_audit(extension=obj, actor=request.user, created=not change, previous_deadline=previous)
        if previous != obj.deadline:
            extensions.extension_notify(extension=obj, previous_deadline=previous, event=event)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "action", "actor", "organisation", "call", "object_type", "object_id", "from_state", "to_state")
    list_filter = ("action", "call")
    search_fields = ("object_id", "organisation__name", "actor__email", "note")
    date_hierarchy = "created_at"


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdmin):
    list_display = ("submission", "status", "attempts", "rendered_at", "emailed_at", "short_error")
    list_filter = ("status",)
    search_fields = ("submission__reference", "submission__organisation__name")
    readonly_fields = [f.name for f in Receipt._meta.fields]
    actions = ["requeue"]

    @admin.display(description=_("last error"))
    def short_error(self, obj):
        return (obj.last_error or "")[:120]

    @admin.action(description=_("Render and send the selected receipts again (only those not ready)"))
    def requeue(self, request, queryset):
        count = 0
        for receipt in queryset.exclude(status=ReceiptStatus.RENDERED):
            receipt_requeue(receipt=receipt)
            count += 1
        self.message_user(request, _("%(n)d receipt(s) queued again.") % {"n": count})


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "to", "template", "language", "status", "attempts", "sent_at", "short_error")
    list_filter = ("status", "template", "language")
    search_fields = ("to", "subject", "dedupe_key")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    actions = ["resend"]

    @admin.display(description=_("last error"))
    def short_error(self, obj):
        return (obj.last_error or "")[:120]

    @admin.action(description=_("Send the selected failed e-mails again"))
    def resend(self, request, queryset):
        count = outbox_resend(ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, _("%(n)d e-mail(s) queued again.") % {"n": count})


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "call",
        "phase",
        "offset_minutes",
        "recipient",
        "organisation",
        "reason",
        "status",
        "mail_status",
        "due_at",
    )
    list_filter = ("status", "outbox__status", "phase", "reason", "call")
    list_select_related = ("call", "recipient", "organisation", "outbox")

    @admin.display(description=_("e-mail"), ordering="outbox__status")
    def mail_status(self, obj):
        if obj.outbox is None:
            return "—"
        return f"{obj.outbox.get_status_display()} {obj.outbox.last_error[:80]}".strip()

    search_fields = ("recipient__email", "organisation__name")
    readonly_fields = [f.name for f in Reminder._meta.fields]


@admin.register(CallFollow)
class CallFollowAdmin(admin.ModelAdmin):
    list_display = ("call", "user", "active", "created_at")
    list_filter = ("call", "active")
    search_fields = ("user__email",)


@admin.register(RegistryExtract)
class RegistryExtractAdmin(ReadOnlyAdmin):
    """Which KBO Open Data extract the portal checks against (the first line) and since
    when; loaded with ``manage.py kbo_import`` or from the drop folder, never here."""

    list_display = ("extract_number", "extract_type", "snapshot_date", "loaded_at_display", "enterprises", "addresses", "source")
    readonly_fields = [f.name for f in RegistryExtract._meta.fields]

    @admin.display(description=_("loaded at"), ordering="loaded_at")
    def loaded_at_display(self, obj):
        return format_brussels(obj.loaded_at)
