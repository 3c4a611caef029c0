"""The dossier's completeness rules read a content dict, so the applicant's submit
checklist and the reviewers' admissibility checklist are the same code (one home per
rule). These tests pin the rules on content built by hand, and that both sides agree."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from intake.kernel.enums import AttachmentKind, DossierSection, VerificationState
from intake.models import Call, Dossier, Organisation, Submission
from intake.rules.completeness import attachment_gaps, content_gaps, mandate_letters_attached
from intake.rules.snapshots import canonical_json
from reviews.admissibility import Check, checklist
from tests.intake.dossier_helpers import valid_enterprise_number

DEADLINE = datetime(2026, 5, 11, 10, 0, tzinfo=UTC)  # 12:00 Brussels (CEST)


def _call(minimum: int = 2) -> Call:
    return Call(
        min_mandating_enterprises=minimum,
        max_support_rate=Decimal("50.00"),
        max_subsidy_per_year=Decimal("225000.00"),
        max_duration_years=3,
    )


def _mandate(n: int, *, letter: str | None = None) -> dict:
    return {
        "enterprise_number": valid_enterprise_number(n),
        "name": f"Lid {n}",
        "postal_code": "9000",
        "municipality": "Gent",
        "sme": True,
        "contact_email": "",
        "letter_sha256": letter,
    }


def _attachment(kind: str, sha256: str) -> dict:
    return {"kind": kind, "name": f"{sha256}.pdf", "size": 100, "sha256": sha256, "content_type": "application/pdf"}


def _content(*, mandates: list[dict], attachments: list[dict]) -> dict:
    year = {
        "year": 1,
        "staff_costs": "100000.00",
        "operating_costs": "0.00",
        "other_costs": "0.00",
        "member_contributions": "50000.00",
        "requested_subsidy": "50000.00",
    }
    return {
        "network": dict.fromkeys(("theme", "priority_fit", "value_chain", "international_orientation", "additionality"), "x"),
        "objectives": [{"name": "leden", "unit": "", "targets": {"1": "30"}}],
        "action_plan": [{"year": 1, "title": "start", "description": ""}],
        "governance": {"board_composition": "x", "staff_fte": "1.50", "member_steering": "x"},
        "mandates": mandates,
        "budget": [year],
        "attachments": attachments,
        "declarations": {"declaration_truthful": True, "declaration_data_processing": True},
    }


BUDGET = _attachment(AttachmentKind.BUDGET_TEMPLATE, "b" * 64)
COMBINED = _attachment(AttachmentKind.MANDATE_LETTERS, "c" * 64)


def _submitted(content: dict) -> tuple[Dossier, Submission]:
    organisation = Organisation(enterprise_number="0403019261", has_legal_personality=True)
    dossier = Dossier(call=_call(), organisation=organisation)
    submission = Submission(
        snapshot=canonical_json({"content": content}), submitted_at=DEADLINE - timedelta(minutes=1), deadline=DEADLINE
    )
    return dossier, submission


def _attachments_check(dossier, submission) -> bool:
    return next(c.ok for c in checklist(dossier, submission) if c.code == "attachments")


def test_a_complete_content_has_no_gaps():
    content = _content(mandates=[_mandate(1), _mandate(2)], attachments=[BUDGET, COMBINED])

    assert content_gaps(_call(), content) == []


def test_zero_mandates_never_cover_the_mandate_letters_for_applicant_and_reviewer_alike():
    """The drift this refactoring removed: the reviewers' copy of the rule read
    ``all(letter for mandate in [])``, which is true, so a dossier without a single
    mandating enterprise passed the reviewers' attachments check while the applicant's
    checklist said the letters were missing."""
    content = _content(mandates=[], attachments=[BUDGET])
    dossier, submission = _submitted(content)

    assert not mandate_letters_attached(content)
    assert [g.section for g in attachment_gaps(content)] == [DossierSection.ATTACHMENTS]
    assert _attachments_check(dossier, submission) is False


@pytest.mark.parametrize(
    ("mandates", "attachments", "covered"),
    [
        # One combined PDF, linked to no single enterprise, covers every enterprise.
        ([_mandate(1), _mandate(2)], [BUDGET, COMBINED], True),
        # Each enterprise its own letter.
        (
            [_mandate(1, letter="1" * 64), _mandate(2, letter="2" * 64)],
            [
                BUDGET,
                _attachment(AttachmentKind.MANDATE_LETTERS, "1" * 64),
                _attachment(AttachmentKind.MANDATE_LETTERS, "2" * 64),
            ],
            True,
        ),
        # Letters for some enterprises only, and no combined PDF: the others are not covered.
        ([_mandate(1, letter="1" * 64), _mandate(2)], [BUDGET, _attachment(AttachmentKind.MANDATE_LETTERS, "1" * 64)], False),
        # No letters at all.
        ([_mandate(1), _mandate(2)], [BUDGET], False),
        # A letters PDF but no mandating enterprise.
        ([], [BUDGET, COMBINED], False),
    ],
    ids=["combined", "one-each", "some-only", "none", "no-mandates"],
)
def test_mandate_letters_rule_is_the_same_for_the_submit_checklist_and_the_admissibility_checklist(
    mandates, attachments, covered
):
    content = _content(mandates=mandates, attachments=attachments)
    dossier, submission = _submitted(content)

    assert mandate_letters_attached(content) is covered
    assert (not attachment_gaps(content)) is covered
    assert _attachments_check(dossier, submission) is covered


def test_the_budget_template_is_required_on_both_sides():
    content = _content(mandates=[_mandate(1), _mandate(2)], attachments=[COMBINED])
    dossier, submission = _submitted(content)

    assert [g.message for g in attachment_gaps(content)] == ["Voeg het begrotingssjabloon toe (XLSX of ODS)."]
    assert _attachments_check(dossier, submission) is False


def test_mandates_below_the_minimum_fail_both_checklists():
    content = _content(mandates=[_mandate(1)], attachments=[BUDGET, COMBINED])
    dossier, submission = _submitted(content)

    assert [g.section for g in content_gaps(_call(minimum=2), content)] == [DossierSection.MANDATES]
    assert next(c.ok for c in checklist(dossier, submission) if c.code == "mandates") is False


def test_on_time_is_judged_by_the_deadlines_module_strictly_before_the_instant():
    content = _content(mandates=[_mandate(1), _mandate(2)], attachments=[BUDGET, COMBINED])
    dossier, submission = _submitted(content)

    submission.submitted_at = DEADLINE - timedelta(microseconds=1)
    assert next(c.ok for c in checklist(dossier, submission) if c.code == "on_time") is True
    submission.submitted_at = DEADLINE
    assert next(c.ok for c in checklist(dossier, submission) if c.code == "on_time") is False


# --- Whether VLAIO verified who acts for the organisation (issue 14, item 4) ----------------


def _verification_check(snapshot_organisation: dict | None, *, now: str = VerificationState.UNVERIFIED) -> Check:
    organisation = Organisation(enterprise_number="0403019261", has_legal_personality=True, verification_state=now)
    dossier = Dossier(call=_call(), organisation=organisation)
    snapshot = {"content": _content(mandates=[_mandate(1)], attachments=[BUDGET, COMBINED])}
    if snapshot_organisation is not None:
        snapshot["organisation"] = snapshot_organisation
    submission = Submission(snapshot=canonical_json(snapshot), submitted_at=DEADLINE - timedelta(minutes=1), deadline=DEADLINE)
    return next(c for c in checklist(dossier, submission) if c.code == "organisation_verified")


def test_the_checklist_shows_an_organisation_verified_at_submission():
    check = _verification_check({"verification": "verified"})
    assert check.ok is True
    assert "bij de indiening" in check.label


def test_the_checklist_shows_an_organisation_verified_after_submission():
    check = _verification_check({"verification": "unverified"}, now=VerificationState.VERIFIED)
    assert check.ok is True
    assert "na de indiening" in check.label


def test_the_checklist_shows_an_unverified_organisation():
    check = _verification_check({"verification": "unverified"})
    assert check.ok is False
    assert check.label.startswith("Nog niet geverifieerd door VLAIO")


def test_a_snapshot_from_before_verification_existed_still_reads():
    # Written before the portal recorded it: no key, and its hash must stay what it was.
    check = _verification_check(None)
    assert check.ok is False
