"""The funding rules a budget must meet (DESIGN.md §2), one row per project year, amounts
in euro with cents.

The rules are pure functions over the call and the years, so that the form, the
completeness check before submission and the reviewer's view all use the same ones.
Rules (a)–(c) only block submission: an applicant may save a draft that breaks them and
fix it later. Rules (d)–(e) describe a budget that cannot exist (a fourth year in a
three-year call, a negative cost) and block saving too. "Years" are BudgetYear rows, or
the same built from a snapshot (``years_from_content``)."""

import io
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import Workbook
from openpyxl.styles import Font

from intake.kernel.formatting import format_euro, format_percent
from intake.models import BudgetYear

AMOUNT_FIELDS = ("staff_costs", "operating_costs", "other_costs", "member_contributions", "requested_subsidy")


CENT = Decimal("0.01")


# BudgetYear's DecimalFields hold 12 digits, 2 of them cents.
MAX_AMOUNT = Decimal("9999999999.99")


# Rule codes; (d) and (e) and the shape checks block saving a draft, the others only submission.
SUPPORT_RATE = "support_rate"  # (a)


MATCHING = "matching"  # (b)


CEILING = "ceiling"  # (c)


TOO_MANY_YEARS = "too_many_years"  # (d)


YEAR_GAP = "year_gap"  # (d)


YEAR_DUPLICATE = "year_duplicate"  # (d): two rows for one year cannot be stored


NEGATIVE = "negative"  # (e)


BLOCKING_CODES = frozenset({TOO_MANY_YEARS, YEAR_GAP, YEAR_DUPLICATE, NEGATIVE})


def _amount(value) -> Decimal:
    if value is None:
        return Decimal("0.00")
    if isinstance(value, float):  # str() first: Decimal(0.1) would carry the binary error
        value = str(value)
    return Decimal(value)


def _coordination_costs(year) -> Decimal:
    # Computed here, not read from BudgetYear.coordination_costs, so that any object with
    # the amount attributes (a form's cleaned data, a snapshot) can be checked.
    return _amount(year.staff_costs) + _amount(year.operating_costs) + _amount(year.other_costs)


@dataclass(frozen=True)
class RuleResult:
    code: str
    year: int | None  # None for rules about the budget as a whole
    ok: bool
    message: str


def _year_rules(call, year) -> list[RuleResult]:
    number = year.year
    subsidy = _amount(year.requested_subsidy)
    costs = _coordination_costs(year)
    contributions = _amount(year.member_contributions)
    results = []

    # (a) Support rate: exact Decimal arithmetic, so exactly the limit passes and one cent
    # more fails. The limit is shown rounded down to whole cents: the most one can ask.
    rate = _amount(call.max_support_rate)
    limit = rate * costs / 100
    params = {
        "year": number,
        "subsidy": format_euro(subsidy),
        "rate": format_percent(rate),
        "costs": format_euro(costs),
        "limit": format_euro(limit.quantize(CENT, rounding=ROUND_DOWN)),
    }
    if subsidy <= limit:
        message = _(
            "Year %(year)d: the requested subsidy (%(subsidy)s) is at most %(rate)s of the coordination costs (%(costs)s)."
        )
    else:
        message = _(
            "Year %(year)d: the requested subsidy (%(subsidy)s) is more than %(rate)s of the coordination costs (%(costs)s); "
            "at most %(limit)s can be requested."
        )
    results.append(RuleResult(SUPPORT_RATE, number, subsidy <= limit, message % params))

    # (b) Every euro of support is matched by a euro the member companies contribute.
    params = {"year": number, "subsidy": format_euro(subsidy), "contributions": format_euro(contributions)}
    if subsidy <= contributions:
        message = _(
            "Year %(year)d: the requested subsidy (%(subsidy)s) is matched by the member contributions (%(contributions)s)."
        )
    else:
        message = _(
            "Year %(year)d: the requested subsidy (%(subsidy)s) is more than the member contributions (%(contributions)s); "
            "every euro of support must be matched by a euro contributed by the members."
        )
    results.append(RuleResult(MATCHING, number, subsidy <= contributions, message % params))

    # (c) Ceiling per year.
    ceiling = _amount(call.max_subsidy_per_year)
    params = {"year": number, "subsidy": format_euro(subsidy), "ceiling": format_euro(ceiling)}
    if subsidy <= ceiling:
        message = _("Year %(year)d: the requested subsidy (%(subsidy)s) is within the ceiling of %(ceiling)s per year.")
    else:
        message = _("Year %(year)d: the requested subsidy (%(subsidy)s) is more than the ceiling of %(ceiling)s per year.")
    results.append(RuleResult(CEILING, number, subsidy <= ceiling, message % params))

    # (e) No negative amounts.
    negative = [name for name in AMOUNT_FIELDS if _amount(getattr(year, name)) < 0]
    if negative:
        labels = ", ".join(str(BudgetYear._meta.get_field(name).verbose_name) for name in negative)
        message = _("Year %(year)d: amounts cannot be negative (%(fields)s).") % {"year": number, "fields": labels}
    else:
        message = _("Year %(year)d: no negative amounts.") % {"year": number}
    results.append(RuleResult(NEGATIVE, number, not negative, message))
    return results


def beyond_duration_message(limit: int, year: int) -> str:
    """(d) as it is told wherever a year beyond the call's duration turns up: in the budget
    rules, in the budget form that refuses a fourth year form before any rule runs, in the
    action plan and the KPI targets."""
    return ngettext(
        "This call allows at most %(limit)d year; year %(year)d is outside that.",
        "This call allows at most %(limit)d years; year %(year)d is outside that.",
        limit,
    ) % {"limit": limit, "year": year}


def _duration_rules(call, numbers: list[int]) -> list[RuleResult]:
    """(d) Years 1..N, each once, N at most the call's duration."""
    limit = call.max_duration_years
    beyond = sorted({n for n in numbers if n > limit})
    results = []
    if beyond:
        message = beyond_duration_message(limit, beyond[0])
    else:
        message = _("The budget stays within the call's duration of %(limit)d years.") % {"limit": limit}
    results.append(RuleResult(TOO_MANY_YEARS, beyond[0] if beyond else None, not beyond, message))

    duplicates = sorted({n for n in numbers if numbers.count(n) > 1})
    if duplicates:
        results.append(
            RuleResult(
                YEAR_DUPLICATE,
                duplicates[0],
                False,
                _("Year %(year)d appears more than once in the budget.") % {"year": duplicates[0]},
            )
        )

    distinct = sorted(set(numbers))
    below_one = [n for n in distinct if n < 1]
    missing = sorted(set(range(1, max(distinct, default=0) + 1)) - set(distinct))
    if below_one:
        message = _("Project years are numbered from 1; year %(year)d does not exist.") % {"year": below_one[0]}
    elif missing:
        message = _("The project years must follow each other from year 1 on; year %(year)d is missing.") % {"year": missing[0]}
    else:
        message = _("The project years follow each other from year 1 on.")
    first_wrong = below_one[0] if below_one else (missing[0] if missing else None)
    results.append(RuleResult(YEAR_GAP, first_wrong, not (below_one or missing), message))
    return results


def budget_rule_results(call, years: list) -> list[RuleResult]:
    """Every rule's outcome: first the rules about the years as a whole (d), then per year,
    in year order, (a) support rate, (b) matching, (c) ceiling, (e) no negative amounts.
    ``years`` are BudgetYear instances or objects with the same attributes."""
    ordered = sorted(years, key=lambda y: y.year)
    results = _duration_rules(call, [y.year for y in ordered])
    for year in ordered:
        results.extend(_year_rules(call, year))
    return results


def budget_violations(call, years: list) -> list[RuleResult]:
    return [result for result in budget_rule_results(call, years) if not result.ok]


@dataclass(frozen=True)
class YearTotals:
    year: int
    staff_costs: Decimal
    operating_costs: Decimal
    other_costs: Decimal
    coordination_costs: Decimal
    member_contributions: Decimal
    requested_subsidy: Decimal


@dataclass(frozen=True)
class BudgetTotals:
    years: list[YearTotals]
    staff_costs: Decimal
    operating_costs: Decimal
    other_costs: Decimal
    coordination_costs: Decimal
    member_contributions: Decimal
    requested_subsidy: Decimal


def budget_totals(years: list) -> BudgetTotals:
    per_year = [
        YearTotals(
            year=y.year,
            staff_costs=_amount(y.staff_costs),
            operating_costs=_amount(y.operating_costs),
            other_costs=_amount(y.other_costs),
            coordination_costs=_coordination_costs(y),
            member_contributions=_amount(y.member_contributions),
            requested_subsidy=_amount(y.requested_subsidy),
        )
        for y in sorted(years, key=lambda y: y.year)
    ]

    def total(name: str) -> Decimal:
        return sum((getattr(t, name) for t in per_year), Decimal("0.00"))

    return BudgetTotals(
        years=per_year,
        staff_costs=total("staff_costs"),
        operating_costs=total("operating_costs"),
        other_costs=total("other_costs"),
        coordination_costs=total("coordination_costs"),
        member_contributions=total("member_contributions"),
        requested_subsidy=total("requested_subsidy"),
    )


def clean_year(data: dict, position: int) -> tuple[BudgetYear, list[RuleResult]]:
    """A BudgetYear (unsaved) from a dict, and what makes it unstorable."""
    problems = []
    try:
        number = int(data["year"])
    except (KeyError, TypeError, ValueError):
        number = 0
        problems.append(RuleResult("year_invalid", None, False, _("Row %(row)d: the year is missing.") % {"row": position}))
    values = {}
    for name in AMOUNT_FIELDS:
        label = BudgetYear._meta.get_field(name).verbose_name
        try:
            value = _amount(data.get(name))
            if not value.is_finite():
                raise InvalidOperation
        except (InvalidOperation, TypeError, ValueError):
            problems.append(
                RuleResult(
                    "amount_invalid",
                    number or None,
                    False,
                    _("Year %(year)s: %(field)s is not an amount.") % {"year": number, "field": label},
                )
            )
            continue
        # Stored with cents: rounding silently would change what the applicant typed.
        if value != value.quantize(CENT, rounding=ROUND_DOWN):
            problems.append(
                RuleResult(
                    "amount_cents",
                    number or None,
                    False,
                    _("Year %(year)s: %(field)s has more than two decimals.") % {"year": number, "field": label},
                )
            )
        elif abs(value) > MAX_AMOUNT:
            problems.append(
                RuleResult(
                    "amount_too_large",
                    number or None,
                    False,
                    _("Year %(year)s: %(field)s is too large.") % {"year": number, "field": label},
                )
            )
        values[name] = value
    return BudgetYear(year=number, **values), problems


def years_from_content(content: dict) -> list[BudgetYear]:
    """The budget years of a dossier content dict (live or from a submitted snapshot,
    where amounts are decimal strings), as unsaved BudgetYear rows the rules can read."""
    return [BudgetYear(year=y["year"], **{f: _amount(y[f]) for f in AMOUNT_FIELDS}) for y in content["budget"]]


def budget_template_xlsx(call) -> bytes:
    """The budget template the call asks to attach (an XLSX, as the attachments rule wants):
    one column per project year of the call, one row per amount the budget page asks for,
    the coordination costs and the call's limits spelled out. Amounts in euro."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Budget")[:31]
    years = range(1, call.max_duration_years + 1)
    sheet.append([call.title])
    sheet.append(
        [
            _(
                "At most %(rate)s of the coordination costs, at most one euro per euro the members contribute, "
                "at most %(ceiling)s per year."
            )
            % {"rate": format_percent(_amount(call.max_support_rate)), "ceiling": format_euro(_amount(call.max_subsidy_per_year))}
        ]
    )
    sheet.append([])
    sheet.append(["", *(_("Year %(year)d") % {"year": year} for year in years)])
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    for name in AMOUNT_FIELDS:
        label = str(BudgetYear._meta.get_field(name).verbose_name)
        sheet.append([label[:1].upper() + label[1:], *(0 for _year in years)])
    first, last = 5, 4 + len(AMOUNT_FIELDS)
    costs = [f"={col}{first}+{col}{first + 1}+{col}{first + 2}" for col in "BCDEFGHIJK"[: len(years)]]
    sheet.append([_("Coordination costs (staff + operating + other)"), *costs])
    sheet.column_dimensions["A"].width = 48
    for row in sheet.iter_rows(min_row=first, max_row=last + 1, min_col=2):
        for cell in row:
            cell.number_format = "#,##0.00"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
