"""Scores: a reviewer sees the others' scores only after submitting their own (managers
always); scores are 0..max of the criterion; submitting needs every criterion and is
final. The aggregate (reviews.scoring.aggregate): per criterion the mean of the submitted
sheets as a percentage of the maximum, the weighted total, each against its threshold —
at least 50 % passes, anything below fails, however little below."""

from decimal import Decimal

import pytest

from intake.kernel.errors import DomainError
from intake.models import AuditEvent, Dossier, EvaluationCriterion
from reviews import services
from reviews.models import ReviewerAssignment, Score, ScoreSheet
from reviews.scoring import aggregate
from tests.reviews.review_helpers import make_reviewer, score_dict, scores_for, sign_in

D = Decimal


def _declared_reviewer(review, reviewer=None):
    reviewer = reviewer or make_reviewer()
    if not ReviewerAssignment.objects.filter(call=review.call, reviewer=reviewer).exists():
        services.assignment_create(call=review.call, reviewer=reviewer, assigned_by=review.manager)
    services.conflict_declare(dossier=review.dossier, reviewer=reviewer, has_conflict=False)
    return reviewer


def _submit(review, reviewer, *values):
    return services.scores_save(
        dossier_id=review.dossier.pk, reviewer=reviewer, scores=score_dict(review.call, *values), submit=True
    )


def _save(review, reviewer, *values):
    return services.scores_save(
        dossier_id=review.dossier.pk, reviewer=reviewer, scores=score_dict(review.call, *values), submit=False
    )


def _set_criteria(review, *specs):
    """specs: (max_score, weight, threshold) per criterion, in order."""
    for criterion, (max_score, weight, threshold) in zip(review.call.criteria.all(), specs, strict=True):
        EvaluationCriterion.objects.filter(pk=criterion.pk).update(
            max_score=max_score, weight=D(str(weight)), threshold_percent=D(str(threshold))
        )


def _errors(response) -> list[str]:
    return [m.message for m in response.context["messages"] if m.level_tag == "error"]


# --- Who sees which scores -----------------------------------------------------------------------


def test_scores_visibility_others_hidden_until_own_sheet_submitted(client, review):
    reviewer_a = _declared_reviewer(review, review.reviewer)
    reviewer_b = _declared_reviewer(review)
    sign_in(client, reviewer_a)
    client.post(review.url("scores"), {**scores_for(review, "7,5", 9, comment="Commentaar van A"), "submit": ""})
    assert ScoreSheet.objects.get(reviewer=reviewer_a).submitted_at is not None

    client.logout()
    sign_in(client, reviewer_b)
    client.post(review.url("scores"), {**scores_for(review, 3, 4, comment="Ontwerp van B"), "save": ""})
    before = client.get(review.url("dossier"))
    page = before.content.decode()

    assert before.context["aggregate"] is None
    assert list(before.context["sheets"]) == []
    assert "Commentaar van A" not in page
    assert reviewer_a.email not in page
    assert "Ontwerp van B" in page  # B's own draft, in the form

    client.post(review.url("scores"), {**scores_for(review, 3, 4, comment="Ontwerp van B"), "submit": ""})
    after = client.get(review.url("dossier"))
    page = after.content.decode()

    assert after.context["aggregate"].sheets == 2
    assert "Commentaar van A" in page
    assert reviewer_a.email in page
    assert reviewer_b.email in page


def test_scores_visibility_managers_always_see_the_aggregate(client, review):
    sign_in(client, review.manager)
    empty = client.get(review.url("dossier"))
    assert empty.context["aggregate"] is not None
    assert empty.context["aggregate"].sheets == 0

    reviewer_a = _declared_reviewer(review, review.reviewer)
    _submit(review, reviewer_a, 6, 7)
    response = client.get(review.url("dossier"))

    assert response.context["aggregate"].sheets == 1
    assert reviewer_a.email in response.content.decode()
    assert [r.percent for r in response.context["aggregate"].criteria] == [D("60.0"), D("70.0")]


def test_scores_visibility_unsubmitted_sheets_are_not_shown_even_to_managers(client, review):
    reviewer_a = _declared_reviewer(review, review.reviewer)
    _save(review, reviewer_a, 1, 1)
    sign_in(client, review.manager)
    response = client.get(review.url("dossier"))
    assert list(response.context["sheets"]) == []
    assert reviewer_a.email not in response.content.decode()


# --- What a score may be -------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["-1", "-0.01", "10.01", "11", "abc", "Infinity", "NaN", "sNaN"])
def test_scores_out_of_range_or_not_a_number_refused(client, review, value):
    reviewer = _declared_reviewer(review, review.reviewer)
    sign_in(client, reviewer)

    response = client.post(review.url("scores"), {**scores_for(review, value, 5), "save": ""}, follow=True)

    assert response.status_code == 200
    assert _errors(response)
    assert not Score.objects.exists()


@pytest.mark.parametrize(("value", "stored"), [("0", D("0")), ("10", D("10")), ("7,5", D("7.5")), ("9.25", D("9.25"))])
def test_scores_boundaries_and_decimal_comma_accepted(client, review, value, stored):
    reviewer = _declared_reviewer(review, review.reviewer)
    sign_in(client, reviewer)
    client.post(review.url("scores"), {**scores_for(review, value, 5), "save": ""})
    first = review.call.criteria.first()
    assert Score.objects.get(sheet__reviewer=reviewer, criterion=first).score == stored


def test_scores_maximum_is_per_criterion(review):
    _set_criteria(review, (10, 1, 50), (20, 1, 50))
    reviewer = _declared_reviewer(review, review.reviewer)
    _save(review, reviewer, 10, 20)
    with pytest.raises(DomainError):
        _save(review, reviewer, 11, 20)
    with pytest.raises(DomainError):
        _save(review, reviewer, 10, 21)


def test_scores_submit_requires_every_criterion(client, review):
    reviewer = _declared_reviewer(review, review.reviewer)
    sign_in(client, reviewer)

    response = client.post(review.url("scores"), {**scores_for(review, 8, ""), "submit": ""}, follow=True)

    assert _errors(response)
    sheet = ScoreSheet.objects.filter(reviewer=reviewer).first()
    assert sheet is None or sheet.submitted_at is None
    assert not AuditEvent.objects.filter(action="review.scores_submitted").exists()


def test_scores_saved_draft_then_completed_and_submitted(client, review):
    reviewer = _declared_reviewer(review, review.reviewer)
    sign_in(client, reviewer)
    client.post(review.url("scores"), {**scores_for(review, 8, ""), "save": ""})
    client.post(review.url("scores"), {**scores_for(review, "", 6), "submit": ""})
    sheet = ScoreSheet.objects.get(reviewer=reviewer)
    assert sheet.submitted_at is not None
    assert sorted(sheet.scores.values_list("score", flat=True)) == [D("6"), D("8")]
    assert AuditEvent.objects.filter(action="review.scores_submitted", actor=reviewer).count() == 1


def test_scores_submitted_sheet_cannot_change(client, review):
    reviewer = _declared_reviewer(review, review.reviewer)
    _submit(review, reviewer, 8, 6)
    sign_in(client, reviewer)

    response = client.post(review.url("scores"), {**scores_for(review, 1, 1), "submit": ""}, follow=True)

    assert _errors(response)
    assert sorted(Score.objects.filter(sheet__reviewer=reviewer).values_list("score", flat=True)) == [D("6"), D("8")]
    with pytest.raises(DomainError):
        _save(review, reviewer, 2, 2)
    assert "<fieldset disabled>" in client.get(review.url("dossier")).content.decode()


@pytest.mark.parametrize("state", ["inadmissible", "rejected"])
def test_scores_refused_once_the_dossier_is_out_of_scoring(review, state):
    reviewer = _declared_reviewer(review, review.reviewer)
    Dossier.objects.filter(pk=review.dossier.pk).update(state=state)
    with pytest.raises(DomainError):
        _save(review, reviewer, 5, 5)


# --- The aggregate -------------------------------------------------------------------------------


def test_aggregate_mean_percent_and_weighted_total(review):
    _set_criteria(review, (10, 2, 50), (20, 1, 50))
    _submit(review, _declared_reviewer(review), 8, 10)
    _submit(review, _declared_reviewer(review), 6, 14)

    result = aggregate(review.dossier)

    first, second = result.criteria
    assert (first.mean, first.percent, first.count, first.passed) == (D("7.00"), D("70.0"), 2, True)
    assert (second.mean, second.percent, second.count, second.passed) == (D("12.00"), D("60.0"), 2, True)
    # (2 × 7/10 + 1 × 12/20) / 3 = 2.0 / 3
    assert result.total_percent == D("66.6")  # shown rounded down: a score is never overstated
    assert result.sheets == 2
    assert result.passed is True


def test_aggregate_unsubmitted_sheets_do_not_count(review):
    _submit(review, _declared_reviewer(review), 8, 8)
    _save(review, _declared_reviewer(review), 0, 0)

    result = aggregate(review.dossier)

    assert result.sheets == 1
    assert [c.count for c in result.criteria] == [1, 1]
    assert [c.percent for c in result.criteria] == [D("80.0"), D("80.0")]


def test_aggregate_without_submitted_sheets_does_not_pass(review):
    _save(review, _declared_reviewer(review), 10, 10)
    result = aggregate(review.dossier)
    assert result.sheets == 0
    assert result.total_percent is None
    assert [c.percent for c in result.criteria] == [None, None]
    assert result.passed is False


def test_aggregate_exactly_at_fifty_percent_passes(review):
    _submit(review, _declared_reviewer(review), 5, 5)
    result = aggregate(review.dossier)
    assert [c.percent for c in result.criteria] == [D("50.0"), D("50.0")]
    assert all(c.passed for c in result.criteria)
    assert result.total_percent == D("50.0")
    assert result.passed is True


def test_aggregate_exactly_at_fifty_percent_as_a_mean_passes(review):
    _submit(review, _declared_reviewer(review), 4, 6)
    _submit(review, _declared_reviewer(review), 6, 4)
    result = aggregate(review.dossier)
    assert all(c.passed for c in result.criteria)
    assert result.passed is True


def test_aggregate_just_below_fifty_percent_fails_the_criterion_and_the_total(review):
    _submit(review, _declared_reviewer(review), "4.99", 10)
    result = aggregate(review.dossier)
    first, second = result.criteria
    assert first.passed is False
    assert second.passed is True
    assert result.passed is False


def test_aggregate_mean_a_hair_below_fifty_percent_fails_the_criterion(review):
    """Means of 5.00 and 4.99 out of 10 is 49.95 %: below 50 %, even if it is shown rounded."""
    _submit(review, _declared_reviewer(review), "5.00", 10)
    _submit(review, _declared_reviewer(review), "4.99", 10)

    result = aggregate(review.dossier)

    first = result.criteria[0]
    assert first.passed is False
    assert result.passed is False


def test_aggregate_total_just_below_its_threshold_fails_although_every_criterion_passes(review):
    review.call.total_threshold_percent = D("60.00")
    review.call.save(update_fields=["total_threshold_percent"])
    _submit(review, _declared_reviewer(review), "6.00", "5.99")  # 60 % and 59.9 %: total 59.95 %

    result = aggregate(review.dossier)

    assert all(c.passed for c in result.criteria)
    assert result.total_threshold == D("60.00")
    assert result.passed is False


def test_aggregate_total_exactly_at_its_threshold_passes(review):
    review.call.total_threshold_percent = D("60.00")
    review.call.save(update_fields=["total_threshold_percent"])
    _submit(review, _declared_reviewer(review), "7.00", "5.00")  # 70 % and 50 %: total 60 %

    result = aggregate(review.dossier)

    assert result.total_percent == D("60.0")
    assert result.passed is True


def test_aggregate_criterion_threshold_is_per_criterion(review):
    _set_criteria(review, (10, 1, 70), (10, 1, 50))
    _submit(review, _declared_reviewer(review), "6.90", "9")
    first, second = aggregate(review.dossier).criteria
    assert (first.passed, second.passed) == (False, True)
