"""The aggregate (reviews.scoring.aggregate): per criterion the mean of the submitted sheets
as a percentage of the maximum, the weighted total, each against its threshold — at least
50 % passes, anything below fails, however little below."""

from decimal import Decimal

from reviews.scoring import aggregate
from tests.reviews.review_helpers import declared_reviewer, save_scores, set_criteria, submit_scores

D = Decimal


def test_aggregate_mean_percent_and_weighted_total(review):
    set_criteria(review, (10, 2, 50), (20, 1, 50))
    submit_scores(review, declared_reviewer(review), 8, 10)
    submit_scores(review, declared_reviewer(review), 6, 14)

    result = aggregate(review.dossier)

    first, second = result.criteria
    assert (first.mean, first.percent, first.count, first.passed) == (D("7.00"), D("70.0"), 2, True)
    assert (second.mean, second.percent, second.count, second.passed) == (D("12.00"), D("60.0"), 2, True)
    # (2 × 7/10 + 1 × 12/20) / 3 = 2.0 / 3
    assert result.total_percent == D("66.6")  # shown rounded down: a score is never overstated
    assert result.sheets == 2
    assert result.passed is True


def test_aggregate_unsubmitted_sheets_do_not_count(review):
    submit_scores(review, declared_reviewer(review), 8, 8)
    save_scores(review, declared_reviewer(review), 0, 0)

    result = aggregate(review.dossier)

    assert result.sheets == 1
    assert [c.count for c in result.criteria] == [1, 1]
    assert [c.percent for c in result.criteria] == [D("80.0"), D("80.0")]


def test_aggregate_without_submitted_sheets_does_not_pass(review):
    save_scores(review, declared_reviewer(review), 10, 10)
    result = aggregate(review.dossier)
    assert result.sheets == 0
    assert result.total_percent is None
    assert [c.percent for c in result.criteria] == [None, None]
    assert result.passed is False


def test_aggregate_exactly_at_fifty_percent_passes(review):
    submit_scores(review, declared_reviewer(review), 5, 5)
    result = aggregate(review.dossier)
    assert [c.percent for c in result.criteria] == [D("50.0"), D("50.0")]
    assert all(c.passed for c in result.criteria)
    assert result.total_percent == D("50.0")
    assert result.passed is True


def test_aggregate_exactly_at_fifty_percent_as_a_mean_passes(review):
    submit_scores(review, declared_reviewer(review), 4, 6)
    submit_scores(review, declared_reviewer(review), 6, 4)
    result = aggregate(review.dossier)
    assert all(c.passed for c in result.criteria)
    assert result.passed is True


def test_aggregate_just_below_fifty_percent_fails_the_criterion_and_the_total(review):
    submit_scores(review, declared_reviewer(review), "4.99", 10)
    result = aggregate(review.dossier)
    first, second = result.criteria
    assert first.passed is False
    assert second.passed is True
    assert result.passed is False


def test_aggregate_mean_a_hair_below_fifty_percent_fails_the_criterion(review):
    """Means of 5.00 and 4.99 out of 10 is 49.95 %: below 50 %, even if it is shown rounded."""
    submit_scores(review, declared_reviewer(review), "5.00", 10)
    submit_scores(review, declared_reviewer(review), "4.99", 10)

    result = aggregate(review.dossier)

    first = result.criteria[0]
    assert first.passed is False
    assert result.passed is False


def test_aggregate_total_just_below_its_threshold_fails_although_every_criterion_passes(review):
    review.call.total_threshold_percent = D("60.00")
    review.call.save(update_fields=["total_threshold_percent"])
    submit_scores(review, declared_reviewer(review), "6.00", "5.99")  # 60 % and 59.9 %: total 59.95 %

    result = aggregate(review.dossier)

    assert all(c.passed for c in result.criteria)
    assert result.total_threshold == D("60.00")
    assert result.passed is False


def test_aggregate_total_exactly_at_its_threshold_passes(review):
    review.call.total_threshold_percent = D("60.00")
    review.call.save(update_fields=["total_threshold_percent"])
    submit_scores(review, declared_reviewer(review), "7.00", "5.00")  # 70 % and 50 %: total 60 %

    result = aggregate(review.dossier)

    assert result.total_percent == D("60.0")
    assert result.passed is True


def test_aggregate_criterion_threshold_is_per_criterion(review):
    set_criteria(review, (10, 1, 70), (10, 1, 50))
    submit_scores(review, declared_reviewer(review), "6.90", "9")
    first, second = aggregate(review.dossier).criteria
    assert (first.passed, second.passed) == (False, True)
