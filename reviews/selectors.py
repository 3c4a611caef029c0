"""Reads for the reviewer dashboard, scoped to what the user may see: call managers see
every call; a reviewer sees the calls (or single dossiers) assigned to them, and nothing
of a dossier they declared a conflict with. Anything else is a 404."""

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.shortcuts import get_object_or_404

from intake.kernel.enums import DOSSIER_SCORED_STATES, DossierState, PreRegistrationState, SubmissionKind
from intake.kernel.formatting import BRUSSELS
from intake.models import Attachment, AuditEvent, Call, Dossier, OutboxMessage, PreRegistration, Receipt, Submission
from intake.rules.snapshots import snapshot_of
from intake.selectors.organisations import is_call_manager, is_reviewer
from intake.selectors.receipts import receipt_in, submissions_for_member
from reviews.models import ConflictDeclaration, Decision, ReviewerAssignment, ScoreSheet


def calls_for(user):
    if is_call_manager(user):
        return Call.objects.all()
    return Call.objects.filter(assignments__reviewer=user).distinct()


def call_for(user, slug: str) -> Call:
    return get_object_or_404(calls_for(user), slug=slug)


def _assigned_whole_call(user, call) -> bool:
    return ReviewerAssignment.objects.filter(call=call, reviewer=user, dossier__isnull=True).exists()


def dossiers_for(user, call):
    """Dossiers of the call the user may open (before any conflict declaration)."""
    dossiers = Dossier.objects.filter(call=call)
    if is_call_manager(user):
        return dossiers
    if _assigned_whole_call(user, call):
        return dossiers
    return dossiers.filter(assignments__reviewer=user)


def todo_for(user, call) -> dict:
    """What is left for ``user`` in the call, in two queries: the dossiers being scored
    that are assigned to them (the whole call, or that dossier), less those they declared a
    conflict with; of those, the ones without their declaration yet, and the ones declared
    but without their submitted scores. A call manager's own scope does not count: only
    what was assigned to them."""
    dossiers = Dossier.objects.filter(call=call, state__in=DOSSIER_SCORED_STATES)
    if not _assigned_whole_call(user, call):
        dossiers = dossiers.filter(Exists(ReviewerAssignment.objects.filter(dossier=OuterRef("pk"), reviewer=user)))
    declarations = ConflictDeclaration.objects.filter(dossier=OuterRef("pk"), reviewer=user)
    counts = (
        dossiers.annotate(
            declared=Exists(declarations),
            conflicted=Exists(declarations.filter(has_conflict=True)),
            scored=Exists(ScoreSheet.objects.filter(dossier=OuterRef("pk"), reviewer=user, submitted_at__isnull=False)),
        )
        .filter(conflicted=False)
        .aggregate(
            assigned=Count("pk"),
            to_declare=Count("pk", filter=Q(declared=False)),
            to_score=Count("pk", filter=Q(declared=True, scored=False)),
        )
    )
    return {**counts, "open": counts["to_declare"] + counts["to_score"]}


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
        .exclude(state=PreRegistrationState.DRAFT)
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
            # "2 of 3 scores": the reviewers the dossier is assigned to (the whole call or
            # this dossier), less those who declared a conflict with it.
            reviewers_expected=Coalesce(
                Subquery(
                    ReviewerAssignment.objects.filter(Q(dossier=OuterRef("dossier")) | Q(call=call, dossier__isnull=True))
                    .exclude(
                        Exists(
                            ConflictDeclaration.objects.filter(
                                dossier=OuterRef(OuterRef("dossier")), reviewer=OuterRef("reviewer"), has_conflict=True
                            )
                        )
                    )
                    .order_by()
                    .values("call")
                    .annotate(n=Count("reviewer", distinct=True))
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
    if not is_call_manager(user) and not _assigned_whole_call(user, call):
        rows = rows.filter(Exists(ReviewerAssignment.objects.filter(dossier=OuterRef("dossier"), reviewer=user)))
    # Nothing of a dossier the reviewer declared a conflict with, not even its row.
    rows = rows.exclude(Exists(ConflictDeclaration.objects.filter(dossier=OuterRef("dossier"), reviewer=user, has_conflict=True)))
    return rows


def call_counts(call) -> dict:
    """Counts for the dashboard: pre-registrations and dossiers by state."""
    preregistrations = PreRegistration.objects.filter(call=call).values_list("state").annotate(n=Count("pk"))
    dossiers = Dossier.objects.filter(call=call).values_list("state").annotate(n=Count("pk"))
    return {
        "preregistrations": {PreRegistrationState(state).label: n for state, n in preregistrations},
        "dossiers": {DossierState(state).label: n for state, n in dossiers},
    }


def submissions_per_day(call) -> list[tuple]:
    """(date in Brussels, kind's label, count) of submissions, for the run-up to each
    deadline; labels in the interface language, as call_counts gives them."""
    rows = (
        Submission.objects.filter(call=call)
        .annotate(day=TruncDate("submitted_at", tzinfo=BRUSSELS))
        .values_list("day", "kind")
        .annotate(n=Count("pk"))
        .order_by("day", "kind")
    )
    return [(day, SubmissionKind(kind).label, n) for day, kind, n in rows]


def late_attempts(call) -> int:
    return AuditEvent.objects.filter(call=call, action__endswith=".late_attempt").count()


def submitted_attachments(dossier, submission):
    """The dossier's attachments that belong to the version under review: a file uploaded
    after the submission is not part of what is assessed."""
    hashes = {a["sha256"] for a in snapshot_of(submission)["content"]["attachments"]}
    # all_objects: a file the applicant removed after submitting still belongs to the version.
    return Attachment.all_objects.filter(dossier=dossier, sha256__in=hashes)


def versions_of(dossier) -> list[Submission]:
    return list(dossier.submissions.order_by("-version").select_related("receipt"))


def audit_of(dossier, *, limit: int = 100):
    return AuditEvent.objects.filter(
        Q(object_type="dossier", object_id=str(dossier.pk))
        | Q(object_type="preregistration", object_id=str(dossier.preregistration_id))
    ).select_related("actor")[:limit]


def own_sheet(user, dossier) -> ScoreSheet | None:
    return ScoreSheet.objects.filter(dossier=dossier, reviewer=user).prefetch_related("scores").first()


def submitted_sheets(dossier):
    return (
        ScoreSheet.objects.filter(dossier=dossier, submitted_at__isnull=False)
        .select_related("reviewer")
        .prefetch_related("scores__criterion")
    )


def assignments_of(call):
    return ReviewerAssignment.objects.filter(call=call).select_related("reviewer", "dossier")


def dossier_by_reference(call, reference: str) -> Dossier | None:
    """The dossier of the call behind any of its submission references (for managers)."""
    submission = Submission.objects.filter(call=call, reference=reference, dossier__isnull=False).first()
    return submission.dossier if submission else None


def staff_scope(user, *, call: str = "call", organisation: str = "organisation"):
    """The dashboard's scope as a condition on any model that reaches an application (one
    organisation's pre-registration and dossier for one call) through the lookups ``call``
    and ``organisation``: for call managers every call, for reviewers the calls and dossiers
    assigned to them, for nobody anything of an application whose dossier they declared a
    conflict with. The admin's lists (reviews.admin) and the receipt downloads filter on it,
    so the side doors show what the dashboard shows."""
    same_application = {"call": OuterRef(call), "organisation": OuterRef(organisation)}
    conflicted = Exists(
        Dossier.objects.filter(conflict_declarations__reviewer=user, conflict_declarations__has_conflict=True, **same_application)
    )
    if is_call_manager(user):
        return ~conflicted
    if not is_reviewer(user):
        return Q(pk__in=[])
    assigned = ReviewerAssignment.objects.filter(reviewer=user)
    whole_call = Q(**{f"{call}__in": assigned.filter(dossier__isnull=True).values("call")})
    one_dossier = Exists(Dossier.objects.filter(assignments__reviewer=user, **same_application))
    return (whole_call | one_dossier) & ~conflicted


def submissions_for_staff(user):
    """Submissions the agency's staff may see: all for call managers; for reviewers, those of
    the calls and dossiers assigned to them; never one of a dossier they declared a conflict
    with."""
    return Submission.objects.filter(staff_scope(user))


# E-mails about one application, by the keys they were queued under (OutboxMessage.dedupe_key).
_MAIL_ABOUT = (
    ("receipt", Receipt, "submission__call", "submission__organisation"),
    ("decision", Decision, "dossier__call", "dossier__organisation"),
    ("conflict", ConflictDeclaration, "dossier__call", "dossier__organisation"),
)


def outbox_for_staff(user):
    """The outbox as the admin lists it: for call managers (who resend failed e-mails) every
    message except those about an application out of their scope (a receipt's summary, a
    decision's motivation); for anyone else nothing."""
    if not is_call_manager(user):
        return OutboxMessage.objects.none()
    about_hidden = Q(pk__in=[])
    for prefix, model, call, organisation in _MAIL_ABOUT:
        for pk in model.objects.exclude(staff_scope(user, call=call, organisation=organisation)).values_list("pk", flat=True):
            about_hidden |= Q(dedupe_key__startswith=f"{prefix}:{pk}:")
    return OutboxMessage.objects.exclude(about_hidden)


def receipt_for(user, reference: str, *, second_factor: bool):
    """A receipt the user may download: their own organisations'; with a second factor,
    also what their staff role lets them see. Anything else is a 404."""
    scope = submissions_for_member(user)
    if second_factor:
        scope = (scope | submissions_for_staff(user)).distinct()
    return receipt_in(scope, reference=reference)


SORT_FIELDS = {
    "reference": "number",
    "organisation": "organisation__name",
    # Applications without a dossier last, on SQLite and PostgreSQL alike.
    "submitted": F("dossier_submitted_at").desc(nulls_last=True),
    "state": F("dossier__state").asc(nulls_last=True),
}


def applications_filtered(user, call, data: dict | None):
    """``applications`` narrowed and ordered by the list's filter form (its cleaned data,
    or None for the unfiltered list in reference order)."""
    rows = applications(user, call)
    if data is not None:
        if data["q"]:
            q = data["q"].strip()
            digits = "".join(ch for ch in q if ch.isdigit())
            condition = Q(organisation__name__icontains=q) | Q(acronym__icontains=q) | Q(network_name__icontains=q)
            # References through EXISTS, not joins: no duplicate rows, no DISTINCT needed.
            condition |= Exists(
                Submission.objects.filter(Q(preregistration=OuterRef("pk")) | Q(dossier=OuterRef("dossier")), reference__iexact=q)
            )
            if len(digits) >= 4:
                condition |= Q(organisation__enterprise_number__contains=digits)
            rows = rows.filter(condition)
        if data["phase"] == "dossier":
            rows = rows.filter(dossier_reference__isnull=False)
        elif data["phase"] == "preregistration":
            rows = rows.filter(dossier_reference__isnull=True)
        if data["state"]:
            rows = rows.filter(dossier__state=data["state"])
        if data["priority"]:
            rows = rows.filter(policy_priority=data["priority"])
        if data["admissibility"] == "open":
            rows = rows.filter(dossier__admissibility__isnull=True)
        elif data["admissibility"]:
            rows = rows.filter(dossier__admissibility__decision=data["admissibility"])
        if data["mine"]:
            rows = rows.filter(assigned_to_me=True)
        if data["scored"]:
            rows = rows.filter(scored_by_me=data["scored"] == "yes")
        rows = rows.order_by(SORT_FIELDS.get(data["sort"] or "reference"), "pk")
    else:
        rows = rows.order_by("number", "pk")
    return rows
