"""The full dossier's editing services (intake.services.dossiers): unlocked only by a
submitted pre-registration, years beyond the call's duration refused, every edit refused
from the deadline instant on, withdrawal and reopening."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine

from intake.kernel.enums import DossierSection, DossierState
from intake.kernel.errors import DeadlinePassed, DomainError, DossierLocked, InvalidTransition, NotEditable
from intake.models import Activity, Dossier, Kpi, Submission
from intake.rules.snapshots import dossier_content, dossier_content_sha256
from intake.services.dossiers import activities_save, dossier_for, dossier_reopen, dossier_withdraw, kpis_save
from intake.services.submissions import dossier_submit
from tests.intake.dossier_helpers import (
    ACTIVITIES,
    DOSSIER_DEADLINE,
    NETWORK,
    ONE_MICROSECOND,
    dossier_events,
    edit_attachments,
    edit_budget,
    edit_mandates,
    edit_section,
    fresh,
    save_section,
    version_of,
)
from tests.intake.file_helpers import stored_files

D = Decimal


def test_dossier_for_refuses_without_a_submitted_preregistration(call, organisation):
    with pytest.raises(DossierLocked):
        dossier_for(call=call, organisation=organisation)

    assert not Dossier.objects.exists()


# --- Sections --------------------------------------------------------------------------------


def test_kpis_with_a_year_beyond_the_duration_are_refused(ready_dossier, user):
    before = dossier_content(fresh(ready_dossier))

    with pytest.raises(DomainError):
        kpis_save(
            dossier_id=ready_dossier.pk,
            kpis=[{"name": "Te lang", "unit": "", "targets": {1: D("1"), 4: D("4")}}],
            expected_version=version_of(ready_dossier.pk, DossierSection.OBJECTIVES),
            actor=user,
        )

    assert dossier_content(fresh(ready_dossier)) == before
    assert version_of(ready_dossier.pk, DossierSection.OBJECTIVES) == 1


def test_activities_in_a_year_beyond_the_duration_are_refused(ready_dossier, user):
    with pytest.raises(DomainError):
        activities_save(
            dossier_id=ready_dossier.pk,
            activities=[*ACTIVITIES, {"year": 4, "title": "Jaar vier", "description": ""}],
            expected_version=version_of(ready_dossier.pk, DossierSection.ACTION_PLAN),
            actor=user,
        )

    assert list(Activity.objects.filter(dossier=ready_dossier).values_list("year", "title")) == [(1, "Opstartworkshop")]
    assert version_of(ready_dossier.pk, DossierSection.ACTION_PLAN) == 1


def test_kpi_targets_are_stored_as_decimal_strings(ready_dossier):
    assert list(Kpi.objects.filter(dossier=ready_dossier).values_list("targets", flat=True)) == [
        {"1": "30", "2": "40", "3": "50"}
    ]


# --- Deadlines -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "edit",
    [edit_section, edit_mandates, edit_budget, edit_attachments],
    ids=["section", "mandate_add", "budget", "attachment_upload"],
)
def test_edits_at_the_deadline_are_refused_and_change_nothing(may_dossier, user, storage_root, edit):
    before = dossier_content(fresh(may_dossier))
    versions_before = fresh(may_dossier).section_versions
    files_before = stored_files(storage_root)

    with time_machine.travel(DOSSIER_DEADLINE, tick=False), pytest.raises(DeadlinePassed):
        edit(may_dossier, user)

    after = fresh(may_dossier)
    assert dossier_content(after) == before
    assert after.section_versions == versions_before
    assert stored_files(storage_root) == files_before


@pytest.mark.parametrize(
    "edit",
    [edit_section, edit_mandates, edit_budget, edit_attachments],
    ids=["section", "mandate_add", "budget", "attachment_upload"],
)
def test_edits_one_microsecond_before_the_deadline_are_saved(may_dossier, user, edit):
    before = dossier_content_sha256(fresh(may_dossier))

    with time_machine.travel(DOSSIER_DEADLINE - ONE_MICROSECOND, tick=False):
        edit(may_dossier, user)

    assert dossier_content_sha256(fresh(may_dossier)) != before


# --- Withdraw and reopen ---------------------------------------------------------------------


def test_dossier_withdraw_before_the_deadline(ready_dossier, user):
    submission = dossier_submit(dossier_id=ready_dossier.pk, actor=user)

    dossier_withdraw(dossier_id=ready_dossier.pk, actor=user, note="We dienen later opnieuw in.")

    assert fresh(ready_dossier).state == DossierState.WITHDRAWN
    event = dossier_events(ready_dossier).last()
    assert (event.action, event.from_state, event.to_state) == ("dossier.withdrawn", "submitted", "withdrawn")
    assert event.note == "We dienen later opnieuw in."
    # The recorded version stays what it was.
    assert Submission.objects.get(pk=submission.pk).snapshot == submission.snapshot


def test_withdrawn_dossier_can_be_neither_edited_nor_submitted(ready_dossier, user):
    dossier_withdraw(dossier_id=ready_dossier.pk, actor=user)
    before = dossier_content(fresh(ready_dossier))

    with pytest.raises(NotEditable):
        save_section(ready_dossier.pk, DossierSection.NETWORK, {**NETWORK, "theme": "Na intrekking"}, user)
    with pytest.raises(NotEditable):
        dossier_submit(dossier_id=ready_dossier.pk, actor=user)

    assert dossier_content(fresh(ready_dossier)) == before
    assert not Submission.objects.filter(kind="dossier").exists()


def test_dossier_withdraw_at_the_deadline_is_refused(may_dossier, user):
    with time_machine.travel(DOSSIER_DEADLINE - timedelta(days=1), tick=False):
        dossier_submit(dossier_id=may_dossier.pk, actor=user)

    with time_machine.travel(DOSSIER_DEADLINE, tick=False), pytest.raises(DeadlinePassed):
        dossier_withdraw(dossier_id=may_dossier.pk, actor=user)

    assert fresh(may_dossier).state == DossierState.SUBMITTED


def test_dossier_reopen_makes_it_a_draft_that_can_be_submitted_again(ready_dossier, user, call):
    dossier_submit(dossier_id=ready_dossier.pk, actor=user)
    dossier_withdraw(dossier_id=ready_dossier.pk, actor=user)

    dossier_reopen(dossier_id=ready_dossier.pk, actor=user)

    assert fresh(ready_dossier).state == DossierState.DRAFT
    assert dossier_events(ready_dossier).last().action == "dossier.draft"
    save_section(ready_dossier.pk, DossierSection.NETWORK, {**NETWORK, "theme": "Heropend"}, user)
    second = dossier_submit(dossier_id=ready_dossier.pk, actor=user)
    assert second.version == 2
    assert second.reference.endswith("-2")


def test_dossier_reopen_of_a_submitted_dossier_is_an_invalid_transition(ready_dossier, user):
    dossier_submit(dossier_id=ready_dossier.pk, actor=user)

    with pytest.raises(InvalidTransition):
        dossier_reopen(dossier_id=ready_dossier.pk, actor=user)

    assert fresh(ready_dossier).state == DossierState.SUBMITTED
