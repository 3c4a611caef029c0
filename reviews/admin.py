from django.contrib import admin

from reviews.models import AdmissibilityReview, ConflictDeclaration, Decision, ReviewerAssignment, ScoreSheet


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
class ConflictDeclarationAdmin(admin.ModelAdmin):
    list_display = ("reviewer", "dossier", "has_conflict", "declared_at")
    list_filter = ("has_conflict",)
    readonly_fields = ("dossier", "reviewer", "has_conflict", "note", "declared_at")

    def has_add_permission(self, request):
        return False


@admin.register(AdmissibilityReview)
class AdmissibilityReviewAdmin(admin.ModelAdmin):
    list_display = ("dossier", "decision", "decided_by", "decided_at")
    readonly_fields = ("dossier", "decision", "motivation", "checklist", "decided_by", "decided_at")

    def has_add_permission(self, request):
        return False


@admin.register(ScoreSheet)
class ScoreSheetAdmin(admin.ModelAdmin):
    list_display = ("dossier", "reviewer", "submitted_at")

    def has_add_permission(self, request):
        return False


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ("dossier", "outcome", "decided_by", "decided_at")
    readonly_fields = ("dossier", "outcome", "motivation", "override_reason", "decided_by", "decided_at")

    def has_add_permission(self, request):
        return False
