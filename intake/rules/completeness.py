"""What a submission must contain: THE submit checklist of both phases.

The pre-registration's checklist reads the row. The dossier's reads the dossier *content*
(``intake.rules.snapshots.dossier_content``): the live dossier's before a submit, or the
content of a submitted version for the reviewers' admissibility checklist, so that what
the applicant is told and what the agency checks are the same code."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from intake.kernel.enums import AttachmentKind, DossierSection
from intake.kernel.formatting import format_number
from intake.models import SECTION_FIELDS, Dossier, PreRegistration
from intake.rules.budget import budget_violations, years_from_content
from intake.rules.mandates import mandate_count_of_content
from intake.rules.registry import applicant_check, mandate_registry
from intake.rules.snapshots import dossier_content

# --- Pre-registration ---------------------------------------------------------------------


def preregistration_gaps(preregistration: PreRegistration) -> list[tuple[str, str]]:
    """(field, name of what it still needs, translated) for each point a pre-registration
    lacks before it is submitted: the field lets a refused submit mark it."""
    gaps = []
    for field in PreRegistration.REQUIRED_FOR_SUBMIT:
        value = getattr(preregistration, field if field != "policy_priority" else "policy_priority_id")
        if value in (None, ""):
            gaps.append((field, str(PreRegistration._meta.get_field(field).verbose_name)))
    limit = preregistration.call.proposal_max_chars
    if len(preregistration.proposal or "") > limit:
        gaps.append(("proposal", _("a project proposal of at most %(limit)s characters") % {"limit": format_number(limit)}))
    # .all(): the call's priorities are usually prefetched (selectors.calls), then no query.
    chosen = preregistration.policy_priority_id
    if chosen and chosen not in {priority.pk for priority in preregistration.call.policy_priorities.all()}:
        gaps.append(("policy_priority", _("a policy priority of this call")))
    gaps += [("organisation", message) for message in organisation_registry_gaps(preregistration.organisation)]
    return gaps


def organisation_registry_gaps(organisation) -> list[str]:
    """What the loaded KBO extract says against the applicant (none when checks are off):
    checked again at every submission, since an enterprise can stop after it registered."""
    check = applicant_check(organisation.enterprise_number)
    if check is None or check.passed:
        return []
    return [_("an applicant the register (KBO) shows as an active legal person: %(why)s") % {"why": " ".join(check.messages)}]


def preregistration_missing(preregistration: PreRegistration) -> list[str]:
    """Names (translated) of what a pre-registration still needs before it is submitted."""
    return [name for _field, name in preregistration_gaps(preregistration)]


# --- Full dossier -------------------------------------------------------------------------


@dataclass(frozen=True)
class Gap:
    """Something the dossier still lacks before it can be submitted, and where to fix it."""

    section: str
    message: str


_REQUIRED_TEXT = {
    DossierSection.NETWORK: SECTION_FIELDS[DossierSection.NETWORK],
    DossierSection.GOVERNANCE: ("board_composition", "member_steering"),
}
_CONTENT_KEY = {DossierSection.NETWORK: "network", DossierSection.GOVERNANCE: "governance"}


def text_gaps(content: dict) -> list[Gap]:
    gaps = []
    for section, fields in _REQUIRED_TEXT.items():
        values = content[_CONTENT_KEY[section]]
        for field in fields:
            if values.get(field) in (None, ""):
                label = Dossier._meta.get_field(field).verbose_name
                gaps.append(Gap(section, _("Fill in “%(field)s”.") % {"field": label}))
    if content["governance"].get("staff_fte") in (None, ""):
        gaps.append(Gap(DossierSection.GOVERNANCE, _("Fill in the staff of the cluster organisation (FTE).")))
    return gaps


def plan_gaps(content: dict) -> list[Gap]:
    gaps = []
    if not any(kpi["targets"] for kpi in content["objectives"]):
        gaps.append(Gap(DossierSection.OBJECTIVES, _("Add at least one KPI with a target.")))
    if not content["action_plan"]:
        gaps.append(Gap(DossierSection.ACTION_PLAN, _("Add at least one activity to the action plan.")))
    return gaps


def mandate_gaps(call, content: dict, registry: dict | None = None) -> list[Gap]:
    count = mandate_count_of_content(call, content, registry)
    if count.is_enough:
        return []
    return [
        Gap(
            DossierSection.MANDATES,
            _("%(counted)d valid, distinct Flemish mandating enterprises; this call requires at least %(minimum)d.")
            % {"counted": count.counted, "minimum": count.minimum},
        )
    ]


def budget_gaps(call, content: dict) -> list[Gap]:
    years = years_from_content(content)
    if not years:
        return [Gap(DossierSection.BUDGET, _("Fill in the budget for at least one year."))]
    return [Gap(DossierSection.BUDGET, str(result.message)) for result in budget_violations(call, years)]


def mandate_letters_attached(content: dict) -> bool:
    """Every mandating enterprise is covered by a mandate letter: one combined PDF (a
    mandate-letters attachment linked to no single enterprise), or each enterprise its own.
    A dossier without mandating enterprises has no letters to show, so it is not covered."""
    letters = {a["sha256"] for a in content["attachments"] if a["kind"] == AttachmentKind.MANDATE_LETTERS}
    mandates = content["mandates"]
    if not mandates or not letters:
        return False
    linked = {m["letter_sha256"] for m in mandates if m["letter_sha256"]}
    return bool(letters - linked) or all(m["letter_sha256"] in letters for m in mandates)


def attachment_gaps(content: dict) -> list[Gap]:
    gaps = []
    if not any(a["kind"] == AttachmentKind.BUDGET_TEMPLATE for a in content["attachments"]):
        gaps.append(Gap(DossierSection.ATTACHMENTS, _("Attach the budget template (XLSX or ODS).")))
    if not mandate_letters_attached(content):
        gaps.append(Gap(DossierSection.ATTACHMENTS, _("Attach the mandate letters: one PDF per enterprise or one combined PDF.")))
    return gaps


def declaration_gaps(content: dict) -> list[Gap]:
    declarations = content["declarations"]
    if declarations.get("declaration_truthful") and declarations.get("declaration_data_processing"):
        return []
    return [Gap(DossierSection.DECLARATIONS, _("Tick both declarations."))]


def content_gaps(call, content: dict, registry: dict | None = None) -> list[Gap]:
    """Everything that stands between this content and a valid submission, per section, in
    section order. Empty means it can be submitted (deadline aside). ``registry``: the KBO
    facts of its mandating enterprises (``content_registry``), None with checks off."""
    return [
        *applicant_gaps(registry),
        *text_gaps(content),
        *plan_gaps(content),
        *mandate_gaps(call, content, registry),
        *budget_gaps(call, content),
        *attachment_gaps(content),
        *declaration_gaps(content),
    ]


def content_registry(content: dict, *, applicant: str) -> dict | None:
    """The loaded KBO extract's facts about the content's mandating enterprises and the
    applicant organisation (``applicant``: its enterprise number)."""
    return mandate_registry([m["enterprise_number"] for m in content["mandates"]], applicant=applicant)


def applicant_gaps(registry: dict | None) -> list[Gap]:
    """The applicant organisation as the register shows it, at every dossier submission."""
    if not registry or not registry.get("applicant", {}).get("problems"):
        return []
    why = " ".join(registry["applicant"]["messages"])
    return [
        Gap(
            DossierSection.NETWORK,
            _("The applicant must be an active legal person in the register (KBO): %(why)s") % {"why": why},
        )
    ]


def dossier_gaps(dossier) -> list[Gap]:
    """The gaps of the live dossier."""
    content = dossier_content(dossier)
    return content_gaps(dossier.call, content, content_registry(content, applicant=dossier.organisation.enterprise_number))


def gaps_by_section(gaps: list[Gap]) -> dict[str, list[Gap]]:
    result = {section: [] for section in DossierSection.values}
    for gap in gaps:
        result[gap.section].append(gap)
    return result
