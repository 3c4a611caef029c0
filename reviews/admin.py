"""The reviews app's records in the admin, and the admin's lists of what belongs to an
application narrowed to the dashboard's scope (selectors.staff_scope): a staff member sees
in /admin/ no dossier, pre-registration, receipt, review or e-mail the dashboard would not
show them, whatever model permissions they hold. intake registers those models (it never
imports reviews, which owns assignments and conflicts); this module puts scoped versions
of intake's admin classes in their place."""

from django.contrib import admin

from intake import admin as intake_admin
from intake.models import AuditEvent, OutboxMessage, PreRegistration, Receipt, Submission
from reviews import selectors
from reviews.models import AdmissibilityReview, ConflictDeclaration, Decision, ReviewerAssignment, ScoreSheet


class ApplicationScopedAdmin:
    """Every URL of the model's admin (list, change, history, delete, autocomplete) starts
    from get_queryset, so filtering there closes them all. ``call`` and ``organisation``
    are the lookups from the model to its application."""

    call = "call"
    organisation = "organisation"

    def get_queryset(self, request):
        scope = selectors.staff_scope(request.user, call=self.call, organisation=self.organisation)
        return super().get_queryset(request).filter(scope)


class OfADossier(ApplicationScopedAdmin):
    call = "dossier__call"
    organisation = "dossier__organisation"


def _scope(model, scoped_admin):
    admin.site.unregister(model)
    admin.site.register(model, scoped_admin)


class SubmissionAdmin(ApplicationScopedAdmin, intake_admin.SubmissionAdmin):
    pass


class PreRegistrationAdmin(ApplicationScopedAdmin, intake_admin.PreRegistrationAdmin):
    pass


class AuditEventAdmin(ApplicationScopedAdmin, intake_admin.AuditEventAdmin):
    pass


class ReceiptAdmin(ApplicationScopedAdmin, intake_admin.ReceiptAdmin):
    call = "submission__call"
    organisation = "submission__organisation"


class OutboxMessageAdmin(intake_admin.OutboxMessageAdmin):
    def get_queryset(self, request):
        return super().get_queryset(request) & selectors.outbox_for_staff(request.user)


_scope(Submission, SubmissionAdmin)
_scope(PreRegistration, PreRegistrationAdmin)
_scope(AuditEvent, AuditEventAdmin)
_scope(Receipt, ReceiptAdmin)
_scope(OutboxMessage, OutboxMessageAdmin)


@admin.register(ReviewerAssignment)
class ReviewerAssignmentAdmin(admin.ModelAdmin):
    list_display = ("reviewer", "call", "dossier", "assigned_by", "created_at")
    list_filter = ("call",)
    raw_id_fields = ("reviewer", "dossier")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.assigned_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(ConflictDeclaration)
class ConflictDeclarationAdmin(OfADossier, admin.ModelAdmin):
    list_display = ("reviewer", "dossier", "has_conflict", "declared_at")
    list_filter = ("has_conflict",)
    readonly_fields = ("dossier", "reviewer", "has_conflict", "note", "declared_at")

    def has_add_permission(self, request):
        return False


@admin.register(AdmissibilityReview)
class AdmissibilityReviewAdmin(OfADossier, admin.ModelAdmin):
    list_display = ("dossier", "decision", "decided_by", "decided_at")
    readonly_fields = ("dossier", "decision", "motivation", "checklist", "decided_by", "decided_at")

    def has_add_permission(self, request):
        return False


@admin.register(ScoreSheet)
class ScoreSheetAdmin(OfADossier, admin.ModelAdmin):
    list_display = ("dossier", "reviewer", "submitted_at")

    def has_add_permission(self, request):
        return False


@admin.register(Decision)
class DecisionAdmin(OfADossier, admin.ModelAdmin):
    list_display = ("dossier", "outcome", "decided_by", "decided_at")
    readonly_fields = ("dossier", "outcome", "motivation", "override_reason", "decided_by", "decided_at")

    def has_add_permission(self, request):
        return False
