"""reviews.services called directly: what they refuse whatever page asks — a second conflict
declaration, admissibility while the organisation's extension runs, a score above the
criterion's maximum or on a dossier out of scoring or still open, an approval without
scores and reason, a decision by anyone but a call manager — and the admissibility
checklist recorded with what fails."""

from datetime import timedelta

import pytest
import time_machine

from intake.kernel.enums import Phase
from intake.kernel.errors import DomainError, NotAllowed
from intake.models import Dossier, Extension
from reviews import services
from reviews.models import ConflictDeclaration, ScoreSheet
from tests.reviews.review_helpers import (
    decide_admissibility,
    declared_reviewer,
    save_scores,
    set_criteria,
    state_of,
    submitted_dossier,
)

# --- Conflicts -------------------------------------------------------------------------------


def test_declare_second_declaration_through_the_service_raises(review):
    services.conflict_declare(dossier=review.dossier, reviewer=review.reviewer, has_conflict=True)
    with pytest.raises(DomainError):
        services.conflict_declare(dossier=review.dossier, reviewer=review.reviewer, has_conflict=False)
    assert ConflictDeclaration.objects.get(dossier=review.dossier, reviewer=review.reviewer).has_conflict is True


# --- Admissibility ---------------------------------------------------------------------------


def test_admissibility_refused_while_the_organisations_extension_runs(client, review):
    Extension.objects.create(
        call=review.call,
        organisation=review.organisation,
        phase=Phase.DOSSIER,
        deadline=review.call.dossier_deadline + timedelta(days=30),  # 10 days from now
        reason="Overmacht",
        granted_by=review.manager,
    )
    with pytest.raises(DomainError):
        decide_admissibility(review)
    assert state_of(review) == "submitted"


def test_admissibility_checklist_records_what_fails(review):
    call = review.call
    dossier, submission = submitted_dossier(call, acronym="KORT")
    # The rules changed after the submission: the snapshot no longer has enough mandates.
    call.min_mandating_enterprises = 40
    call.save(update_fields=["min_mandating_enterprises"])

    record = services.admissibility_decide(
        dossier_id=dossier.pk,
        decision="inadmissible",
        motivation="Te weinig mandaten.",
        actor=review.manager,
        submission=submission,
    )

    assert {item["code"]: item["ok"] for item in record.checklist}["mandates"] is False
    dossier.refresh_from_db()
    assert dossier.state == "inadmissible"


# --- Scores ----------------------------------------------------------------------------------


def test_scores_maximum_is_per_criterion(review):
    set_criteria(review, (10, 1, 50), (20, 1, 50))
    reviewer = declared_reviewer(review, review.reviewer)
    save_scores(review, reviewer, 10, 20)
    with pytest.raises(DomainError):
        save_scores(review, reviewer, 11, 20)
    with pytest.raises(DomainError):
        save_scores(review, reviewer, 10, 21)


@pytest.mark.parametrize("state", ["inadmissible", "rejected"])
def test_scores_refused_once_the_dossier_is_out_of_scoring(review, state):
    reviewer = declared_reviewer(review, review.reviewer)
    Dossier.objects.filter(pk=review.dossier.pk).update(state=state)
    with pytest.raises(DomainError):
        save_scores(review, reviewer, 5, 5)


def test_scores_refused_while_the_applicant_can_still_submit_a_new_version(open_review):
    """Scores belong to the version under review, which is only final after the deadline."""
    review = open_review
    criterion = review.call.criteria.first()
    with time_machine.travel(review.call.opens_at + timedelta(days=2), tick=False), pytest.raises(DomainError):
        services.scores_save(
            dossier_id=review.dossier.pk, reviewer=review.manager, scores={criterion.pk: ("7", "")}, submit=False
        )
    assert not ScoreSheet.objects.exists()


# --- Decisions -------------------------------------------------------------------------------


def test_decision_approve_refused_without_any_submitted_scores_and_no_override_reason(review):
    decide_admissibility(review)
    with pytest.raises(DomainError):
        services.decision_record(
            dossier_id=review.dossier.pk, outcome="approved", motivation="Goed.", override_reason="", actor=review.manager
        )


def test_decision_only_by_a_call_manager_even_through_the_service(review):
    decide_admissibility(review)
    with pytest.raises(NotAllowed):
        services.decision_record(
            dossier_id=review.dossier.pk, outcome="rejected", motivation="Nee.", override_reason="", actor=review.reviewer
        )
    assert state_of(review) == "admissible"
