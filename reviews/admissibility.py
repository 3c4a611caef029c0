"""The automatic admissibility checklist, computed from the version under review (its
immutable snapshot), not from the live dossier. Every check is a rule of intake.rules (or
the deadlines module): what the applicant was told before submitting and what the agency
checks are the same code."""

from dataclasses import asdict, dataclass

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from intake import deadlines
from intake.kernel.enums import VerificationState
from intake.kernel.validators import is_valid_enterprise_number
from intake.rules.completeness import attachment_gaps, budget_gaps, mandate_gaps
from intake.rules.registry import registry_checked_label
from intake.rules.snapshots import (
    representation_established,
    snapshot_of,
    verification_at_submission,
    verified_through_login,
)


@dataclass(frozen=True)
class Check:
    code: str
    label: str
    ok: bool


def checklist(dossier, submission) -> list[Check]:
    if submission is None:
        return [Check("submitted", _("A version of the dossier was submitted"), False)]
    snapshot = snapshot_of(submission)
    content, registry = snapshot["content"], snapshot.get("registry")
    call = dossier.call
    mandates_label = _("At least %(n)d valid, distinct Flemish mandating enterprises") % {"n": call.min_mandating_enterprises}
    legal_personality = Check(
        "legal_personality", _("The applicant has legal personality"), dossier.organisation.has_legal_personality
    )
    if registry:
        mandates_label += " " + registry_checked_label(registry)
        if "applicant" in registry:  # the register's facts instead of the applicant's tick box
            legal_personality = Check(
                "legal_personality",
                _("The applicant is an active legal person") + " " + registry_checked_label(registry),
                not registry["applicant"]["problems"],
            )
    return [
        Check("on_time", _("Submitted before the deadline that applied"), deadlines.submitted_on_time(submission)),
        legal_personality,
        Check(
            "enterprise_number",
            _("The enterprise number is valid"),
            is_valid_enterprise_number(dossier.organisation.enterprise_number),
        ),
        _verification_check(snapshot, dossier.organisation),
        Check(
            "mandates",
            mandates_label,
            not mandate_gaps(call, content, registry),
        ),
        Check("budget", _("The budget meets every rule of the call"), not budget_gaps(call, content)),
        Check(
            "attachments",
            _("The budget template and the mandate letters are attached"),
            not attachment_gaps(content),
        ),
    ]


def _verification_check(snapshot, organisation) -> Check:
    """Whether VLAIO verified who acts for the organisation. Not a rule of the call: an
    unverified organisation may submit (a verification queue never costs a deadline), so the
    reviewer sees it, and sees a verification given after the submission too."""
    established = representation_established(snapshot)
    if established:
        return Check("organisation_verified", capfirst(established), True)
    if verification_at_submission(snapshot) == VerificationState.VERIFIED:
        if verified_through_login(snapshot):
            label = _("A member's sign-in through the government's identity service had verified the organisation")
            return Check("organisation_verified", label, True)
        return Check("organisation_verified", _("VLAIO had verified the claim on the organisation when it submitted"), True)
    if organisation.verification_state == VerificationState.VERIFIED:
        return Check("organisation_verified", _("VLAIO verified the claim on the organisation after it submitted"), True)
    return Check("organisation_verified", _("Not yet verified by VLAIO: who acts for the organisation"), False)


def checklist_data(checks: list[Check]) -> list[dict]:
    return [asdict(c) for c in checks]
