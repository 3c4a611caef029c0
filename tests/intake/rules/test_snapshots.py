"""The dossier's content hash (intake.rules.snapshots): the same for the same content, new
for any change, however small."""

import pytest
from django.utils import translation
from django.utils.text import capfirst

from intake.kernel.enums import DossierSection
from intake.rules.snapshots import dossier_content_sha256, section_answers
from intake.services.dossiers import kpis_save
from intake.web.forms.dossier import GovernanceForm, NetworkForm
from tests.intake.dossier_helpers import (
    GOVERNANCE,
    KPIS,
    NETWORK,
    budget_years,
    fresh,
    one_attachment_more,
    one_cent_more,
    one_mandate_more,
    one_more_character,
    save_budget,
    save_section,
    version_of,
)


def test_content_sha256_is_stable_for_the_same_content(ready_dossier, user):
    first = dossier_content_sha256(fresh(ready_dossier))
    assert dossier_content_sha256(fresh(ready_dossier)) == first

    # No-op re-saves: new section versions, same content.
    save_section(ready_dossier.pk, DossierSection.NETWORK, NETWORK, user)
    save_section(ready_dossier.pk, DossierSection.GOVERNANCE, GOVERNANCE, user)
    save_budget(ready_dossier.pk, budget_years(3), user)
    kpis_save(
        dossier_id=ready_dossier.pk,
        kpis=KPIS,
        expected_version=version_of(ready_dossier.pk, DossierSection.OBJECTIVES),
        actor=user,
    )

    after = fresh(ready_dossier)
    assert after.section_version(DossierSection.NETWORK) == 2
    assert dossier_content_sha256(after) == first


@pytest.mark.parametrize(
    "change",
    [one_more_character, one_cent_more, one_mandate_more, one_attachment_more],
    ids=["one-character", "one-cent", "one-mandate", "one-attachment"],
)
def test_content_sha256_changes_with_any_change(ready_dossier, user, change):
    before = dossier_content_sha256(fresh(ready_dossier))

    change(ready_dossier, user)

    assert dossier_content_sha256(fresh(ready_dossier)) != before


# --- Reading a content back in the applicant's words --------------------------------------------


def test_section_answers_follow_the_form_labels_and_order_whatever_the_json_order():
    # A snapshot's content comes back from canonical JSON: its keys in alphabetical order.
    content = {"network": dict(sorted(NETWORK.items())), "governance": dict(sorted({**GOVERNANCE, "staff_fte": "2.50"}.items()))}
    with translation.override("nl"):
        for form, section in ((NetworkForm(), DossierSection.NETWORK), (GovernanceForm(), DossierSection.GOVERNANCE)):
            answers = section_answers(content, section)
            # Capitalised as the form shows them (portal.css capitalises the first letter).
            expected = [(name, capfirst(str(field.label))) for name, field in form.fields.items() if name != "version"]
            assert [(a.field, a.label) for a in answers] == expected
        staff = {a.field: a.value for a in section_answers(content, DossierSection.GOVERNANCE)}["staff_fte"]
        assert staff == "2,5 VTE"


def test_section_answers_of_an_empty_or_missing_value_are_empty():
    answers = section_answers({"governance": {"board_composition": "", "staff_fte": None}}, DossierSection.GOVERNANCE)
    assert [a.value for a in answers] == ["", "", ""]
