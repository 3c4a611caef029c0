"""Scores through the dossier page (reviews.views.scores, dossier_detail): a reviewer sees
the others' scores only after submitting their own (managers always); scores are 0..max
of the criterion, typed with a decimal comma or point; submitting needs every criterion
and is final."""

from decimal import Decimal

import pytest

from intake.kernel.errors import DomainError
from intake.models import AuditEvent
from reviews.models import Score, ScoreSheet
from tests.reviews.review_helpers import declared_reviewer, error_messages, save_scores, scores_for, sign_in, submit_scores

D = Decimal


# --- Who sees which scores -------------------------------------------------------------------


def test_scores_visibility_others_hidden_until_own_sheet_submitted(client, review):
    reviewer_a = declared_reviewer(review, review.reviewer)
    reviewer_b = declared_reviewer(review)
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

    reviewer_a = declared_reviewer(review, review.reviewer)
    submit_scores(review, reviewer_a, 6, 7)
    response = client.get(review.url("dossier"))

    assert response.context["aggregate"].sheets == 1
    assert reviewer_a.email in response.content.decode()
    assert [r.percent for r in response.context["aggregate"].criteria] == [D("60.0"), D("70.0")]


def test_scores_visibility_unsubmitted_sheets_are_not_shown_even_to_managers(client, review):
    reviewer_a = declared_reviewer(review, review.reviewer)
    save_scores(review, reviewer_a, 1, 1)
    sign_in(client, review.manager)
    response = client.get(review.url("dossier"))
    assert list(response.context["sheets"]) == []
    assert reviewer_a.email not in response.content.decode()


# --- What a score may be ---------------------------------------------------------------------


@pytest.mark.parametrize("value", ["-1", "-0.01", "10.01", "11", "abc", "Infinity", "NaN", "sNaN"])
def test_scores_out_of_range_or_not_a_number_refused(client, review, value):
    reviewer = declared_reviewer(review, review.reviewer)
    sign_in(client, reviewer)

    response = client.post(review.url("scores"), {**scores_for(review, value, 5), "save": ""}, follow=True)

    assert response.status_code == 200
    assert error_messages(response)
    assert not Score.objects.exists()


@pytest.mark.parametrize(("value", "stored"), [("0", D("0")), ("10", D("10")), ("7,5", D("7.5")), ("9.25", D("9.25"))])
def test_scores_boundaries_and_decimal_comma_accepted(client, review, value, stored):
    reviewer = declared_reviewer(review, review.reviewer)
    sign_in(client, reviewer)
    client.post(review.url("scores"), {**scores_for(review, value, 5), "save": ""})
    first = review.call.criteria.first()
    assert Score.objects.get(sheet__reviewer=reviewer, criterion=first).score == stored


def test_scores_submit_requires_every_criterion(client, review):
    reviewer = declared_reviewer(review, review.reviewer)
    sign_in(client, reviewer)

    response = client.post(review.url("scores"), {**scores_for(review, 8, ""), "submit": ""}, follow=True)

    assert error_messages(response)
    sheet = ScoreSheet.objects.filter(reviewer=reviewer).first()
    assert sheet is None or sheet.submitted_at is None
    assert not AuditEvent.objects.filter(action="review.scores_submitted").exists()


def test_scores_saved_draft_then_completed_and_submitted(client, review):
    reviewer = declared_reviewer(review, review.reviewer)
    sign_in(client, reviewer)
    client.post(review.url("scores"), {**scores_for(review, 8, ""), "save": ""})
    client.post(review.url("scores"), {**scores_for(review, "", 6), "submit": ""})
    sheet = ScoreSheet.objects.get(reviewer=reviewer)
    assert sheet.submitted_at is not None
    assert sorted(sheet.scores.values_list("score", flat=True)) == [D("6"), D("8")]
    assert AuditEvent.objects.filter(action="review.scores_submitted", actor=reviewer).count() == 1


def test_scores_submitted_sheet_cannot_change(client, review):
    reviewer = declared_reviewer(review, review.reviewer)
    submit_scores(review, reviewer, 8, 6)
    sign_in(client, reviewer)

    response = client.post(review.url("scores"), {**scores_for(review, 1, 1), "submit": ""}, follow=True)

    assert error_messages(response)
    assert sorted(Score.objects.filter(sheet__reviewer=reviewer).values_list("score", flat=True)) == [D("6"), D("8")]
    with pytest.raises(DomainError):
        save_scores(review, reviewer, 2, 2)
    assert "<fieldset disabled>" in client.get(review.url("dossier")).content.decode()
