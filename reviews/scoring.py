"""Aggregated scores: per criterion the mean of the reviewers' submitted scores, the total
as the weighted sum, each checked against its threshold (cluster decree art. 11: at least
50 % on each criterion and on the total for the third call). Thresholds are checked on
the exact values; percentages are rounded (down) for display only."""

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from reviews.models import Score

HUNDRED = Decimal("100")


def _shown(value: Decimal | None) -> Decimal | None:
    """49.95 % shows as 49.9 %, never as a passing-looking 50.0 %."""
    return value.quantize(Decimal("0.1"), rounding=ROUND_DOWN) if value is not None else None


@dataclass(frozen=True)
class CriterionResult:
    criterion: object
    mean: Decimal | None
    percent: Decimal | None  # for display
    threshold: Decimal
    passed: bool
    count: int


@dataclass(frozen=True)
class Aggregate:
    criteria: list[CriterionResult]
    total_percent: Decimal | None  # for display
    total_exact: Decimal | None  # for the threshold check
    total_threshold: Decimal
    sheets: int

    @property
    def passed(self) -> bool:
        return (
            self.sheets > 0
            and all(c.passed for c in self.criteria)
            and self.total_exact is not None
            and self.total_exact >= self.total_threshold
        )


def aggregate(dossier) -> Aggregate:
    criteria = list(dossier.call.criteria.all())
    scores: dict[int, list[Decimal]] = {c.pk: [] for c in criteria}
    sheets = set()
    for criterion_id, value, sheet_id in Score.objects.filter(
        sheet__dossier=dossier, sheet__submitted_at__isnull=False
    ).values_list("criterion_id", "score", "sheet_id"):
        scores.setdefault(criterion_id, []).append(value)
        sheets.add(sheet_id)
    results, weighted, weights = [], Decimal("0"), Decimal("0")
    for criterion in criteria:
        values = scores.get(criterion.pk, [])
        mean = sum(values, Decimal("0")) / len(values) if values else None
        exact = mean / criterion.max_score * HUNDRED if mean is not None else None
        results.append(
            CriterionResult(
                criterion=criterion,
                mean=mean.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if mean is not None else None,
                percent=_shown(exact),
                threshold=criterion.threshold_percent,
                passed=exact is not None and exact >= criterion.threshold_percent,
                count=len(values),
            )
        )
        if mean is not None:
            weighted += criterion.weight * mean / criterion.max_score
            weights += criterion.weight
    complete = bool(weights) and all(r.mean is not None for r in results)
    total = weighted / weights * HUNDRED if complete else None
    return Aggregate(
        criteria=results,
        total_percent=_shown(total),
        total_exact=total,
        total_threshold=dossier.call.total_threshold_percent,
        sheets=len(sheets),
    )
