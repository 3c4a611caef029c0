"""The budget rules of DESIGN.md §2 (intake.rules.budget), each at its limit, one cent under
and one cent over; the duration and sign rules that block even a draft; and totals."""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from intake.models import BudgetYear, Call
from intake.rules.budget import budget_rule_results, budget_totals, budget_violations

D = Decimal
CENT = D("0.01")


def third_call(**overrides) -> Call:
    """The third call's rules (unsaved: the rules are pure)."""
    return Call(
        **{
            "max_support_rate": D("50.00"),
            "max_subsidy_per_year": D("225000.00"),
            "max_duration_years": 3,
            **overrides,
        }
    )


def year(number=1, *, staff="200000.00", operating="30000.00", other="10000.00", contributions="500000.00", subsidy="100000.00"):
    """Coordination costs € 240.000,00 by default: 50 % of it is € 120.000,00."""
    return BudgetYear(
        year=number,
        staff_costs=D(staff),
        operating_costs=D(operating),
        other_costs=D(other),
        member_contributions=D(contributions),
        requested_subsidy=D(subsidy),
    )


def result(results, code, year_number=None):
    matches = [r for r in results if r.code == code and (year_number is None or r.year == year_number)]
    assert len(matches) == 1, matches
    return matches[0]


# --- Rules at their limits -------------------------------------------------------------------


# (code, amounts of the year, expected ok). Each rule at one cent under, at, and one cent
# over its limit; the other rules are kept far from theirs so only one is tested at a time.
LIMIT_CASES = [
    # (a) support rate: 50 % of € 240.000,00 = € 120.000,00
    ("support_rate", {"subsidy": "119999.99"}, True),
    ("support_rate", {"subsidy": "120000.00"}, True),
    ("support_rate", {"subsidy": "120000.01"}, False),
    # (b) matching: contributions € 100.000,00, coordination costs € 1.000.000,00
    (
        "matching",
        {"staff": "1000000.00", "operating": "0", "other": "0", "contributions": "100000.00", "subsidy": "99999.99"},
        True,
    ),
    (
        "matching",
        {"staff": "1000000.00", "operating": "0", "other": "0", "contributions": "100000.00", "subsidy": "100000.00"},
        True,
    ),
    (
        "matching",
        {"staff": "1000000.00", "operating": "0", "other": "0", "contributions": "100000.00", "subsidy": "100000.01"},
        False,
    ),
    # (c) ceiling € 225.000,00 per year, with costs and contributions large enough
    ("ceiling", {"staff": "1000000.00", "contributions": "1000000.00", "subsidy": "224999.99"}, True),
    ("ceiling", {"staff": "1000000.00", "contributions": "1000000.00", "subsidy": "225000.00"}, True),
    ("ceiling", {"staff": "1000000.00", "contributions": "1000000.00", "subsidy": "225000.01"}, False),
    # (e) negative amounts: zero is allowed, one cent below is not
    ("negative", {"other": "0.01"}, True),
    ("negative", {"other": "0.00"}, True),
    ("negative", {"other": "-0.01"}, False),
    ("negative", {"staff": "-0.01"}, False),
    ("negative", {"operating": "-0.01"}, False),
    ("negative", {"contributions": "-0.01"}, False),
    ("negative", {"subsidy": "-0.01"}, False),
]


@pytest.mark.parametrize(("code", "amounts", "ok"), LIMIT_CASES, ids=[f"{c}-{'-'.join(a.values())}" for c, a, _ in LIMIT_CASES])
def test_rule_at_its_limit(code, amounts, ok):
    results = budget_rule_results(third_call(), [year(1, **amounts)])

    assert result(results, code, 1).ok is ok
    failed = {r.code for r in budget_violations(third_call(), [year(1, **amounts)])}
    if ok:
        assert failed == set()
    elif code == "negative":
        # A negative cost or contribution may also break (a) or (b); (e) must be among them.
        assert code in failed
    else:
        assert failed == {code}


def test_support_rate_follows_the_call():
    # A call with 40 %: € 96.000,00 of € 240.000,00.
    call = third_call(max_support_rate=D("40.00"))
    assert result(budget_rule_results(call, [year(subsidy="96000.00")]), "support_rate").ok is True
    assert result(budget_rule_results(call, [year(subsidy="96000.01")]), "support_rate").ok is False


def test_support_rate_with_a_limit_between_cents():
    # 33,33 % of € 100,01 = € 33,333333: € 33,33 passes, € 33,34 does not; the limit is shown rounded down.
    call = third_call(max_support_rate=D("33.33"))
    assert result(budget_rule_results(call, [year(staff="100.01", operating="0", other="0", subsidy="33.33")]), "support_rate").ok
    over = result(budget_rule_results(call, [year(staff="100.01", operating="0", other="0", subsidy="33.34")]), "support_rate")
    assert over.ok is False
    assert "€ 33,33" in over.message


def test_ceiling_follows_the_call():
    call = third_call(max_subsidy_per_year=D("100000.00"))
    assert result(budget_rule_results(call, [year(subsidy="100000.00")]), "ceiling").ok is True
    assert result(budget_rule_results(call, [year(subsidy="100000.01")]), "ceiling").ok is False


def test_violation_message_names_the_year_and_belgian_amounts():
    years = [year(1), year(2, subsidy="120000.01")]

    (violation,) = budget_violations(third_call(), years)

    assert (violation.code, violation.year) == ("support_rate", 2)
    for fragment in ("2", "€ 120.000,01", "€ 240.000,00", "50 %"):
        assert fragment in violation.message


def test_every_rule_of_every_year_has_a_result():
    results = budget_rule_results(third_call(), [year(2), year(1), year(3)])
    assert [(r.code, r.year) for r in results] == [
        ("too_many_years", None),
        ("year_gap", None),
        *[(code, n) for n in (1, 2, 3) for code in ("support_rate", "matching", "ceiling", "negative")],
    ]
    assert all(r.ok for r in results)
    assert all(r.message for r in results)


def test_rules_accept_plain_objects_with_the_same_attributes():
    plain = SimpleNamespace(
        year=1,
        staff_costs=D("240000.00"),
        operating_costs=D("0"),
        other_costs=D("0"),
        member_contributions=D("500000.00"),
        requested_subsidy=D("120000.01"),
    )
    assert [r.code for r in budget_violations(third_call(), [plain])] == ["support_rate"]


# --- Duration (d) ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("numbers", "failed"),
    [
        ([], set()),
        ([1], set()),
        ([1, 2], set()),
        ([1, 2, 3], set()),
        ([3, 1, 2], set()),
        ([1, 2, 3, 4], {("too_many_years", 4)}),
        ([1, 3], {("year_gap", 2)}),
        ([2, 3], {("year_gap", 1)}),
        ([1, 1], {("year_duplicate", 1)}),
        ([0, 1], {("year_gap", 0)}),
    ],
)
def test_years_must_be_one_to_n_within_the_duration(numbers, failed):
    violations = budget_violations(third_call(), [year(n) for n in numbers])
    assert {(v.code, v.year) for v in violations} == failed


def test_duration_follows_the_call():
    call = third_call(max_duration_years=2)
    assert {(v.code, v.year) for v in budget_violations(call, [year(1), year(2), year(3)])} == {("too_many_years", 3)}


# --- Totals ----------------------------------------------------------------------------------


def test_totals_per_year_and_overall():
    totals = budget_totals(
        [
            year(2, staff="100.10", operating="20.00", other="3.00", contributions="60.00", subsidy="50.00"),
            year(1, staff="200000.00", operating="30000.00", other="10000.00", contributions="150000.00", subsidy="120000.00"),
        ]
    )

    assert [(t.year, t.coordination_costs, t.member_contributions, t.requested_subsidy) for t in totals.years] == [
        (1, D("240000.00"), D("150000.00"), D("120000.00")),
        (2, D("123.10"), D("60.00"), D("50.00")),
    ]
    assert (totals.staff_costs, totals.operating_costs, totals.other_costs) == (D("200100.10"), D("30020.00"), D("10003.00"))
    assert (totals.coordination_costs, totals.member_contributions, totals.requested_subsidy) == (
        D("240123.10"),
        D("150060.00"),
        D("120050.00"),
    )


def test_totals_of_no_years_are_zero():
    totals = budget_totals([])
    assert totals.years == []
    assert totals.coordination_costs == totals.requested_subsidy == D("0.00")
