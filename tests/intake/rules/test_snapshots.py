"""The dossier's content hash (intake.rules.snapshots): the same for the same content, new
for any change, however small."""

import pytest

from intake.kernel.enums import DossierSection
from intake.rules.snapshots import dossier_content_sha256
from intake.services.dossiers import kpis_save
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
