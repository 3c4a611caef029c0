"""Reads for the reviewer dashboard, scoped to what the user may see: call managers see
every call; a reviewer sees the calls (or single dossiers) assigned to them, and nothing
of a dossier they declared a conflict with. Anything else is a 404."""

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from intake.enums import SubmissionKind
from intake.models import Call, Dossier, PreRegistration, Submission
from intake.selectors import is_call_manager
from reviews.models import ConflictDeclaration, ReviewerAssignment, ScoreSheet


def calls_for(user):
    if is_call_manager(user):
        return Call.objects.all()
    return Call.objects.filter(assignments__reviewer=user).distinct()


def call_for(user, slug: str) -> Call:
    return get_object_or_404(calls_for(user), slug=slug)


def dossiers_for(user, call):
    """Dossiers of the call the user may open (before any conflict declaration)."""
    dossiers = Dossier.objects.filter(call=call)
    if is_call_manager(user):
        return dossiers
    if ReviewerAssignment.objects.filter(call=call, reviewer=user, dossier__isnull=True).exists():
        return dossiers
    return dossiers.filter(assignments__reviewer=user)


def dossier_for(user, call, reference: str) -> tuple[Dossier, Submission]:
    """The dossier behind any of its submission references, and the version under review
    (the last submitted, every submission being on time by construction)."""
    submission = get_object_or_404(Submission, call=call, kind=SubmissionKind.DOSSIER, reference=reference)
    dossier = get_object_or_404(
        dossiers_for(user, call).select_related("call", "organisation", "preregistration", "preregistration__policy_priority"),
        pk=submission.dossier_id,
    )
    under_review = dossier.submissions.order_by("-version").select_related("submitted_by", "receipt").first()
    return dossier, under_review


def declaration_of(user, dossier):
    return ConflictDeclaration.objects.filter(dossier=dossier, reviewer=user).first()


def applications(user, call):
    """One row per pre-registration, with its dossier and review figures, in a constant
    number of queries whatever the number of rows."""
    latest_dossier_submission = Submission.objects.filter(dossier=OuterRef("dossier"), kind=SubmissionKind.DOSSIER).order_by(
        "-version"
    )
    rows = (
        PreRegistration.objects.filter(call=call)
        .exclude(state="draft")
        .select_related("call", "organisation", "policy_priority", "dossier", "dossier__decision", "dossier__admissibility")
        .annotate(
            dossier_reference=Subquery(latest_dossier_submission.values("reference")[:1]),
            dossier_submitted_at=Subquery(latest_dossier_submission.values("submitted_at")[:1]),
            # Correlated subqueries, not joins: no GROUP BY over the whole call and no
            # duplicate rows, whatever the filters.
            sheets_submitted=Coalesce(
                Subquery(
                    ScoreSheet.objects.filter(dossier=OuterRef("dossier"), submitted_at__isnull=False)
                    .values("dossier")
                    .annotate(n=Count("pk"))
                    .values("n")[:1]
                ),
                0,
            ),
            scored_by_me=Exists(
                ScoreSheet.objects.filter(dossier=OuterRef("dossier"), reviewer=user, submitted_at__isnull=False)
            ),
            assigned_to_me=Exists(
                ReviewerAssignment.objects.filter(
                    Q(dossier=OuterRef("dossier")) | Q(call=call, dossier__isnull=True), reviewer=user
                )
            ),
        )
    )
    if (
        not is_call_manager(user)
        and not ReviewerAssignment.objects.filter(call=call, reviewer=user, dossier__isnull=True).exists()
    ):
        rows = rows.filter(Exists(ReviewerAssignment.objects.filter(dossier=OuterRef("dossier"), reviewer=user)))
    # Nothing of a dossier the reviewer declared a conflict with, not even its row.
    rows = rows.exclude(Exists(ConflictDeclaration.objects.filter(dossier=OuterRef("dossier"), reviewer=user, has_conflict=True)))
    return rows


def call_counts(call) -> dict:
    """Counts for the dashboard: pre-registrations and dossiers by state."""
    from intake.enums import DossierState, PreRegistrationState

    preregistrations = PreRegistration.objects.filter(call=call).values_list("state").annotate(n=Count("pk"))
    dossiers = Dossier.objects.filter(call=call).values_list("state").annotate(n=Count("pk"))
    return {
        "preregistrations": {PreRegistrationState(state).label: n for state, n in preregistrations},
        "dossiers": {DossierState(state).label: n for state, n in dossiers},
    }


def submissions_per_day(call) -> list[tuple]:
    """(date in Brussels, kind, count) of submissions, for the run-up to each deadline."""
    from django.db.models.functions import TruncDate

    from intake.formatting import BRUSSELS

    return list(
        Submission.objects.filter(call=call)
        .annotate(day=TruncDate("submitted_at", tzinfo=BRUSSELS))
        .values_list("day", "kind")
        .annotate(n=Count("pk"))
        .order_by("day", "kind")
    )


def late_attempts(call) -> int:
    from intake.models import AuditEvent

    return AuditEvent.objects.filter(call=call, action__endswith=".late_attempt").count()
