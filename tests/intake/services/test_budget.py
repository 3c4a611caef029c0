"""budget_save (intake.services.budget): the years replaced as a whole under an optimistic
lock, budgets that cannot exist refused even as a draft, the funding rules left for the
submission, and the deadline."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine

from intake.kernel.enums import DossierSection
from intake.kernel.errors import BudgetInvalid, DeadlinePassed, EditConflict
from intake.models import Dossier
from intake.rules.budget import budget_violations
from intake.services.budget import budget_save

D = Decimal


def year_data(number, **amounts) -> dict:
    return {
        "year": number,
        "staff_costs": D("200000.00"),
        "operating_costs": D("30000.00"),
        "other_costs": D("10000.00"),
        "member_contributions": D("150000.00"),
        "requested_subsidy": D("120000.00"),
        **amounts,
    }


def stored_budget(dossier) -> list[tuple]:
    return list(dossier.budget_years.order_by("year").values_list("year", "requested_subsidy"))


def budget_version(dossier) -> int:
    return Dossier.objects.get(pk=dossier.pk).section_version(DossierSection.BUDGET)


def test_budget_save_stores_the_years_and_bumps_the_version(dossier, actor):
    saved = budget_save(dossier_id=dossier.pk, years=[year_data(2), year_data(1)], expected_version=0, actor=actor)

    assert [y.year for y in saved] == [1, 2]
    assert stored_budget(dossier) == [(1, D("120000.00")), (2, D("120000.00"))]
    assert budget_version(dossier) == 1
    assert budget_violations(dossier.call, list(dossier.budget_years.all())) == []


def test_budget_save_replaces_the_previous_years(dossier, actor):
    budget_save(dossier_id=dossier.pk, years=[year_data(1), year_data(2), year_data(3)], expected_version=0, actor=actor)

    budget_save(dossier_id=dossier.pk, years=[year_data(1, requested_subsidy="1000.50")], expected_version=1, actor=actor)

    assert stored_budget(dossier) == [(1, D("1000.50"))]
    assert budget_version(dossier) == 2


def test_budget_save_with_a_stale_version_is_a_conflict(dossier, actor):
    budget_save(dossier_id=dossier.pk, years=[year_data(1)], expected_version=0, actor=actor)

    with pytest.raises(EditConflict):
        budget_save(dossier_id=dossier.pk, years=[year_data(1, requested_subsidy=D("1.00"))], expected_version=0, actor=actor)

    assert stored_budget(dossier) == [(1, D("120000.00"))]
    assert budget_version(dossier) == 1


@pytest.mark.parametrize(
    ("years", "codes"),
    [
        ([year_data(1), year_data(2), year_data(3), year_data(4)], {("too_many_years", 4)}),
        ([year_data(1), year_data(3)], {("year_gap", 2)}),
        ([year_data(1), year_data(1)], {("year_duplicate", 1)}),
        ([year_data(1, other_costs=D("-0.01"))], {("negative", 1)}),
        ([year_data(1), year_data(2, requested_subsidy=D("-1.00"))], {("negative", 2)}),
        ([year_data(1, staff_costs=D("0.005"))], {("amount_cents", 1)}),
        ([year_data(1, staff_costs="veel")], {("amount_invalid", 1)}),
        ([{"staff_costs": D("1.00")}], {("year_invalid", None)}),
    ],
    ids=["beyond-duration", "gap", "duplicate", "negative", "negative-year-2", "fraction-of-cent", "not-a-number", "no-year"],
)
def test_budget_save_refuses_a_budget_that_cannot_exist(dossier, actor, years, codes):
    budget_save(dossier_id=dossier.pk, years=[year_data(1)], expected_version=0, actor=actor)

    with pytest.raises(BudgetInvalid) as raised:
        budget_save(dossier_id=dossier.pk, years=years, expected_version=1, actor=actor)

    assert {(p.code, p.year) for p in raised.value.problems} == codes
    assert raised.value.code == "budget_invalid"
    assert stored_budget(dossier) == [(1, D("120000.00"))]
    assert budget_version(dossier) == 1


def test_budget_save_keeps_a_draft_that_breaks_the_funding_rules(dossier, actor):
    # (a)-(c) block the submission, not the draft: the applicant fixes them later.
    years = [year_data(1, requested_subsidy=D("225000.01"), member_contributions=D("0.00"))]

    budget_save(dossier_id=dossier.pk, years=years, expected_version=0, actor=actor)

    assert stored_budget(dossier) == [(1, D("225000.01"))]
    assert {v.code for v in budget_violations(dossier.call, list(dossier.budget_years.all()))} == {
        "support_rate",
        "matching",
        "ceiling",
    }


def test_budget_save_after_the_deadline_raises_and_keeps_the_draft(dossier, actor):
    budget_save(dossier_id=dossier.pk, years=[year_data(1)], expected_version=0, actor=actor)

    with time_machine.travel(dossier.call.dossier_deadline + timedelta(seconds=1), tick=False), pytest.raises(DeadlinePassed):
        budget_save(dossier_id=dossier.pk, years=[year_data(1), year_data(2)], expected_version=1, actor=actor)

    assert stored_budget(dossier) == [(1, D("120000.00"))]
