"""The automatic admissibility checklist, computed from the version under review (its
immutable snapshot), not from the live dossier."""

import json
from dataclasses import asdict, dataclass
from decimal import Decimal

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Check:
    code: str
    label: str
    ok: bool


def enterprise_number_valid(number: str) -> bool:
    from django.core.exceptions import ValidationError

    from intake.validators import normalise_enterprise_number

    try:
        return normalise_enterprise_number(number) == number
    except ValidationError:
        return False


def checklist(dossier, submission) -> list[Check]:
    from intake.budget import AMOUNT_FIELDS, budget_violations
    from intake.enums import AttachmentKind
    from intake.models import BudgetYear

    if submission is None:
        return [Check("submitted", _("A version of the dossier was submitted"), False)]
    snapshot = json.loads(submission.snapshot)
    content = snapshot["content"]
    call = dossier.call
    number_ok = enterprise_number_valid(dossier.organisation.enterprise_number)
    years = [BudgetYear(year=y["year"], **{f: Decimal(y[f]) for f in AMOUNT_FIELDS}) for y in content["budget"]]
    kinds = {a["kind"] for a in content["attachments"]}
    return [
        Check("on_time", _("Submitted before the deadline that applied"), submission.submitted_at < submission.deadline),
        Check("legal_personality", _("The applicant has legal personality"), dossier.organisation.has_legal_personality),
        Check("enterprise_number", _("The enterprise number is valid"), number_ok),
        Check(
            "mandates",
            _("At least %(n)d valid, distinct Flemish mandating enterprises") % {"n": call.min_mandating_enterprises},
            (snapshot.get("mandating_enterprises_counted") or 0) >= call.min_mandating_enterprises,
        ),
        Check("budget", _("The budget meets every rule of the call"), bool(years) and not budget_violations(call, years)),
        Check(
            "attachments",
            _("The budget template and the mandate letters are attached"),
            AttachmentKind.BUDGET_TEMPLATE in kinds
            and (AttachmentKind.MANDATE_LETTERS in kinds or all(m.get("letter_sha256") for m in content["mandates"])),
        ),
    ]


def checklist_data(checks: list[Check]) -> list[dict]:
    return [asdict(c) for c in checks]
