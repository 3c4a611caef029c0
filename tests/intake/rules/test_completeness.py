"""What a dossier still lacks before it can be submitted (intake.rules.completeness), on
dossiers built through the real services."""

from intake.kernel.enums import AttachmentKind, DossierSection, DossierState, PreRegistrationState
from intake.models import Kpi
from intake.rules.completeness import dossier_gaps
from intake.services.dossiers import kpis_save
from tests.intake.dossier_helpers import complete_dossier, fresh, version_of


def test_complete_dossier_has_no_gaps(ready_dossier, call):
    assert dossier_gaps(ready_dossier) == []
    assert ready_dossier.state == DossierState.DRAFT
    assert ready_dossier.preregistration.state == PreRegistrationState.SUBMITTED
    assert ready_dossier.mandates.count() == call.min_mandating_enterprises == 30
    assert ready_dossier.budget_years.count() == 3
    assert set(ready_dossier.attachments.values_list("kind", flat=True)) == {
        AttachmentKind.BUDGET_TEMPLATE,
        AttachmentKind.MANDATE_LETTERS,
    }
    # One save per section, two uploads.
    assert ready_dossier.section_versions == {**dict.fromkeys(DossierSection.values, 1), DossierSection.ATTACHMENTS: 2}


def test_dossier_with_29_mandates_has_exactly_one_gap_in_mandates(call, organisation, user):
    dossier = complete_dossier(call, organisation, user, mandates=29)

    assert [gap.section for gap in dossier_gaps(dossier)] == [DossierSection.MANDATES]


def test_kpi_without_any_target_leaves_an_objectives_gap(ready_dossier, user):
    # The gap asks for "at least one KPI with a target": a KPI that names an indicator but
    # sets no target for any year does not meet it.
    kpis_save(
        dossier_id=ready_dossier.pk,
        kpis=[{"name": "Aantal leden", "unit": "bedrijven", "targets": {1: None, 2: None, 3: None}}],
        expected_version=version_of(ready_dossier.pk, DossierSection.OBJECTIVES),
        actor=user,
    )
    assert list(Kpi.objects.filter(dossier=ready_dossier).values_list("targets", flat=True)) == [{}]

    assert [gap.section for gap in dossier_gaps(fresh(ready_dossier))] == [DossierSection.OBJECTIVES]
