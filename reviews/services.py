"""Changes made by the agency: assignments, conflict declarations, admissibility, scores
and decisions. State changes of the dossier go through intake.workflow."""

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from intake import deadlines
from intake.audit import audit_record
from intake.kernel.enums import DOSSIER_SCORED_STATES, DossierState, Phase
from intake.kernel.errors import DomainError, NotAllowed
from intake.kernel.roles import CALL_MANAGERS
from intake.messaging.outbox import outbox_enqueue
from intake.models import Dossier
from intake.selectors.organisations import is_call_manager, is_reviewer
from intake.workflow import transition
from reviews.admissibility import checklist, checklist_data
from reviews.models import (
    Admissibility,
    AdmissibilityReview,
    ConflictDeclaration,
    Decision,
    Outcome,
    ReviewerAssignment,
    Score,
    ScoreSheet,
)
from reviews.scoring import aggregate

# The dossier state each of the agency's answers moves a dossier to.
ADMISSIBILITY_STATES = {Admissibility.ADMISSIBLE: DossierState.ADMISSIBLE, Admissibility.INADMISSIBLE: DossierState.INADMISSIBLE}
OUTCOME_STATES = {Outcome.APPROVED: DossierState.APPROVED, Outcome.REJECTED: DossierState.REJECTED}
# Reviews' own e-mail templates (reviews/templates/reviews/email/).
EMAIL_TEMPLATES = "reviews/email"


def assignment_create(*, call, reviewer, dossier=None, assigned_by) -> ReviewerAssignment:
    if not is_reviewer(reviewer):
        raise DomainError(_("%(email)s is not a reviewer.") % {"email": reviewer.email})
    try:
        with transaction.atomic():
            assignment = ReviewerAssignment.objects.create(call=call, reviewer=reviewer, dossier=dossier, assigned_by=assigned_by)
    except IntegrityError:
        raise DomainError(_("This reviewer is already assigned.")) from None
    audit_record(actor=assigned_by, action="review.assigned", obj=assignment, call=call, data={"reviewer": reviewer.email})
    return assignment


def conflict_declare(*, dossier, reviewer, has_conflict: bool, note: str = "") -> ConflictDeclaration:
    """Declare-then-view. A declaration is final; with a conflict the call managers are told."""
    try:
        with transaction.atomic():
            declaration = ConflictDeclaration.objects.create(
                dossier=dossier, reviewer=reviewer, has_conflict=has_conflict, note=note
            )
            audit_record(
                actor=reviewer,
                action="review.conflict_declared" if has_conflict else "review.no_conflict_declared",
                obj=declaration,
                call=dossier.call,
                organisation=dossier.organisation,
                note=note,
            )
            if has_conflict:
                _tell_managers_of_conflict(declaration)
    except IntegrityError:
        raise DomainError(_("You already made your declaration for this dossier.")) from None
    return declaration


def _tell_managers_of_conflict(declaration) -> None:
    managers = get_user_model().objects.filter(groups__name=CALL_MANAGERS, is_active=True).distinct()
    for manager in managers:
        outbox_enqueue(
            to=manager.email,
            user=manager,
            template="conflict_declared",
            context={"declaration": declaration, "dossier": declaration.dossier},
            dedupe_key=f"conflict:{declaration.pk}:{manager.pk}",
            template_dir=EMAIL_TEMPLATES,
        )


def _require_no_conflict(dossier, reviewer) -> None:
    declaration = ConflictDeclaration.objects.filter(dossier=dossier, reviewer=reviewer).first()
    if declaration is None and not is_call_manager(reviewer):
        raise NotAllowed(_("Declare first whether you have a conflict of interest."))
    if declaration is not None and declaration.has_conflict:
        raise NotAllowed(_("You declared a conflict of interest with this organisation."))


def _lock(dossier_id: int) -> Dossier:
    return Dossier.objects.select_for_update(of=("self",)).select_related("call", "organisation").get(pk=dossier_id)


def _require_deadline_passed(dossier) -> None:
    # While the deadline runs the applicant may still submit a new version; the agency
    # decides on the last version submitted on time, so not before.
    if not deadlines.is_final(dossier.call, Phase.DOSSIER, dossier.organisation):
        raise DomainError(
            _(
                "The submitted version is not final yet: the deadline has not passed, or submissions that arrived "
                "before it are still being recorded (for at most a minute). Try again later."
            )
        )


def admissibility_decide(*, dossier_id: int, decision: str, motivation: str, actor, submission) -> AdmissibilityReview:
    if not motivation.strip():
        raise DomainError(_("Write a motivation."))
    with transaction.atomic():
        dossier = _lock(dossier_id)
        _require_no_conflict(dossier, actor)
        _require_deadline_passed(dossier)
        transition(dossier, ADMISSIBILITY_STATES[decision], actor=actor, note=motivation)
        return AdmissibilityReview.objects.create(
            dossier=dossier,
            decision=decision,
            motivation=motivation,
            checklist=checklist_data(checklist(dossier, submission)),
            decided_by=actor,
        )


def scores_save(*, dossier_id: int, reviewer, scores: dict, submit: bool) -> ScoreSheet:
    """Save a reviewer's scores: {criterion_id: (score, comment)}. Submitting requires a
    score for every criterion; a submitted sheet no longer changes."""
    with transaction.atomic():
        dossier = _lock(dossier_id)
        _require_no_conflict(dossier, reviewer)
        _require_deadline_passed(dossier)  # scores belong to the version that stays under review
        if dossier.state not in DOSSIER_SCORED_STATES:
            raise DomainError(_("This dossier is not being scored."))
        sheet, _created = ScoreSheet.objects.select_for_update().get_or_create(dossier=dossier, reviewer=reviewer)
        if sheet.submitted_at is not None:
            raise DomainError(_("Your scores have been submitted and can no longer be changed."))
        criteria = {c.pk: c for c in dossier.call.criteria.all()}
        for criterion_id, (value, comment) in scores.items():
            criterion = criteria.get(int(criterion_id))
            if criterion is None or value in (None, ""):
                continue
            try:
                number = Decimal(str(value))
            except InvalidOperation:
                raise DomainError(_("“%(value)s” is not a score.") % {"value": value}) from None
            if not number.is_finite() or not 0 <= number <= criterion.max_score:
                raise DomainError(
                    _("%(criterion)s: a score from 0 to %(max)d.") % {"criterion": criterion.name, "max": criterion.max_score}
                )
            Score.objects.update_or_create(sheet=sheet, criterion=criterion, defaults={"score": number, "comment": comment or ""})
        if submit:
            missing = set(criteria) - set(sheet.scores.values_list("criterion_id", flat=True))
            if missing:
                raise DomainError(_("Score every criterion before submitting."))
            sheet.submitted_at = deadlines.clock()
            sheet.save(update_fields=["submitted_at", "updated_at"])
            audit_record(
                actor=reviewer, action="review.scores_submitted", obj=sheet, call=dossier.call, organisation=dossier.organisation
            )
        return sheet


def decision_record(*, dossier_id: int, outcome: str, motivation: str, override_reason: str, actor) -> Decision:
    """The call manager's decision. Approval needs an admissible dossier above every
    threshold — or the manager's written reason to approve it nonetheless."""
    if not is_call_manager(actor):
        raise NotAllowed(_("Only a call manager records decisions."))
    if not motivation.strip():
        raise DomainError(_("Write a motivation: the applicant reads it."))
    with transaction.atomic():
        dossier = _lock(dossier_id)
        if outcome == Outcome.APPROVED:
            if dossier.state != DossierState.ADMISSIBLE:
                raise DomainError(_("Only an admissible dossier can be approved."))
            if not aggregate(dossier).passed and not override_reason.strip():
                raise DomainError(
                    _("The dossier does not reach every threshold. State why it is approved nonetheless, or reject it.")
                )
        transition(dossier, OUTCOME_STATES[outcome], actor=actor, note=motivation)
        decision = Decision.objects.create(
            dossier=dossier, outcome=outcome, motivation=motivation, override_reason=override_reason, decided_by=actor
        )
        url = (
            settings.SITE_URL
            + reverse("intake:dossier", kwargs={"slug": dossier.call.slug})
            + f"?organisation={dossier.organisation_id}"
        )
        for membership in dossier.organisation.memberships.select_related("user"):
            outbox_enqueue(
                to=membership.user.email,
                user=membership.user,
                template="decision",
                context={"decision": decision, "dossier": dossier, "url": url},
                dedupe_key=f"decision:{decision.pk}:{membership.user_id}",
                template_dir=EMAIL_TEMPLATES,
            )
    return decision


def receipt_downloaded(*, receipt, actor) -> None:
    """Every download of a receipt is on record (DESIGN.md §9), whoever downloads it."""
    submission = receipt.submission
    audit_record(
        actor=actor,
        action="receipt.downloaded",
        obj=receipt,
        call=submission.call,
        organisation=submission.organisation,
        data={"reference": submission.reference},
    )


def attachment_downloaded(*, attachment, dossier, actor) -> None:
    audit_record(
        actor=actor, action="attachment.downloaded", obj=attachment, call=dossier.call, organisation=dossier.organisation
    )
