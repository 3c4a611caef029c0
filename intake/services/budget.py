"""Saving the budget of a dossier; the rules it must meet are intake.rules.budget."""

from django.db import transaction

from intake.audit import records_late_attempts
from intake.kernel.enums import DossierSection
from intake.kernel.errors import BudgetInvalid
from intake.models import BudgetYear
from intake.rules.budget import BLOCKING_CODES, budget_violations, clean_year
from intake.services.dossiers import bump_section_version, check_section_version, dossier_lock_for_edit


@records_late_attempts
def budget_save(*, dossier_id: int, years: list[dict], expected_version: int, actor, arrived_at=None) -> list[BudgetYear]:
    """Replace the dossier's budget years. Each dict: year and the amounts of AMOUNT_FIELDS
    (Decimal, int or str; missing amounts are 0). Raises EditConflict when the budget was
    saved by someone else since ``expected_version``, BudgetInvalid (nothing saved) when a
    year lies beyond the call's duration, years are not 1..N or an amount is negative."""
    with transaction.atomic():
        dossier = dossier_lock_for_edit(dossier_id=dossier_id, arrived_at=arrived_at)
        check_section_version(dossier, DossierSection.BUDGET, expected_version)
        rows, problems = [], []
        for position, data in enumerate(years, start=1):
            row, row_problems = clean_year(data, position)
            rows.append(row)
            problems.extend(row_problems)
        if not problems:
            problems = [r for r in budget_violations(dossier.call, rows) if r.code in BLOCKING_CODES]
        if problems:
            raise BudgetInvalid(problems)
        dossier.budget_years.all().delete()
        for row in rows:
            row.dossier = dossier
        saved = BudgetYear.objects.bulk_create(sorted(rows, key=lambda r: r.year))
        bump_section_version(dossier, DossierSection.BUDGET, actor)
    return saved
