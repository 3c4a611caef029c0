"""The full dossier's services: a complete dossier built through the real services, its
submission as immutable numbered versions with a canonical snapshot, the content hash,
the deadline to the microsecond (and extensions), the transition table walked pair by
pair, withdrawal and reopening, and a submit whose query count does not grow with the
number of mandating enterprises."""

import hashlib
import itertools
import json
import threading
import time
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from intake.kernel.enums import AttachmentKind, DossierSection, DossierState, PreRegistrationState
from intake.kernel.errors import (
    AlreadySubmitted,
    DeadlinePassed,
    DomainError,
    DossierIncomplete,
    DossierLocked,
    InvalidTransition,
    NotEditable,
)
from intake.models import Activity, Attachment, AuditEvent, Dossier, Extension, Kpi, Mandate, PreRegistration, Submission
from intake.rules.completeness import dossier_gaps
from intake.rules.snapshots import canonical_json, dossier_content, dossier_content_sha256
from intake.services.attachments import attachment_upload
from intake.services.dossiers import activities_save, dossier_for, dossier_reopen, dossier_withdraw, kpis_save
from intake.services.mandates import mandate_add
from intake.services.preregistrations import preregistration_withdraw
from intake.services.submissions import dossier_submit
from intake.workflow import DOSSIER_TRANSITIONS, can_transition, transition
from tests.factories import CallFactory, OrganisationFactory, UserFactory
from tests.intake.dossier_helpers import (
    ACTIVITIES,
    BUDGET_YEAR,
    GOVERNANCE,
    KPIS,
    NETWORK,
    budget_years,
    complete_dossier,
    pdf_upload,
    save_budget,
    save_section,
    submitted_preregistration,
    valid_enterprise_number,
    version_of,
)

D = Decimal
BRUSSELS = ZoneInfo("Europe/Brussels")
ONE_MICROSECOND = timedelta(microseconds=1)
# The third call's dossier deadline: "tot en met 11 mei 2026 (12u)".
DOSSIER_DEADLINE = datetime(2026, 5, 11, 12, 0, tzinfo=BRUSSELS)
WHILE_PREREGISTRATION_OPEN = datetime(2026, 1, 12, 10, 0, tzinfo=BRUSSELS)


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    root = tmp_path / "private"
    root.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(root)}},
    }
    return root


def stored_files(root) -> list:
    return sorted(path for path in root.rglob("*") if path.is_file())


def fresh(dossier) -> Dossier:
    return Dossier.objects.select_related("call", "organisation", "preregistration").get(pk=dossier.pk)


def dossier_events(dossier):
    """The dossier's state changes (other events, such as imports, are about it too)."""
    return (
        AuditEvent.objects.filter(object_type="dossier", object_id=str(dossier.pk), action__startswith="dossier.")
        .exclude(action="dossier.late_attempt")  # a refused attempt is counted, not a state change
        .order_by("pk")
    )


@pytest.fixture
def dossier(call, organisation, user):
    return complete_dossier(call, organisation, user)


@pytest.fixture
def may_call(db):
    """A call shaped like the third one: dossier deadline 11 May 2026, 12:00 Brussels."""
    return CallFactory(
        opens_at=datetime(2026, 1, 5, 9, 0, tzinfo=BRUSSELS),
        preregistration_deadline=datetime(2026, 1, 23, 12, 0, tzinfo=BRUSSELS),
        dossier_deadline=DOSSIER_DEADLINE,
    )


@pytest.fixture
def may_dossier(may_call, organisation, user):
    # Everything, the pre-registration included, is done while that phase is open.
    with time_machine.travel(WHILE_PREREGISTRATION_OPEN, tick=False):
        return complete_dossier(may_call, organisation, user)


# --- Mandate letters, one per enterprise ---------------------------------------------------


def test_mandate_letters_one_per_enterprise_replace_the_combined_pdf(dossier, user):
    from intake.services.mandates import mandate_letter_set

    combined = dossier.attachments.get(kind=AttachmentKind.MANDATE_LETTERS)
    Attachment.objects.filter(pk=combined.pk).delete()
    assert [g.section for g in dossier_gaps(fresh(dossier))] == [DossierSection.ATTACHMENTS]

    mandates = list(dossier.mandates.all())
    for n, mandate in enumerate(mandates):
        letter = attachment_upload(
            dossier_id=dossier.pk,
            uploaded_file=pdf_upload(f"mandaat-{n}.pdf", text=f"mandaat {n}"),
            kind=AttachmentKind.MANDATE_LETTERS,
            actor=user,
        )
        mandate_letter_set(dossier_id=dossier.pk, mandate_id=mandate.pk, attachment_id=letter.pk, actor=user)

    assert dossier_gaps(fresh(dossier)) == []
    content = dossier_content(fresh(dossier))
    assert all(m["letter_sha256"] for m in content["mandates"])


def test_mandate_letter_must_be_a_mandate_letter_of_the_same_dossier(dossier, user, call):
    from intake.services.mandates import mandate_letter_set

    mandate = dossier.mandates.first()
    budget = dossier.attachments.get(kind=AttachmentKind.BUDGET_TEMPLATE)
    other = complete_dossier(call, OrganisationFactory(owner=user), user)
    foreign = other.attachments.get(kind=AttachmentKind.MANDATE_LETTERS)

    for attachment in (budget, foreign):
        with pytest.raises(DomainError):
            mandate_letter_set(dossier_id=dossier.pk, mandate_id=mandate.pk, attachment_id=attachment.pk, actor=user)
    assert Mandate.objects.get(pk=mandate.pk).letter_id is None


# --- The builder --------------------------------------------------------------------------


def test_complete_dossier_has_no_gaps(dossier, call):
    assert dossier_gaps(dossier) == []
    assert dossier.state == DossierState.DRAFT
    assert dossier.preregistration.state == PreRegistrationState.SUBMITTED
    assert dossier.mandates.count() == call.min_mandating_enterprises == 30
    assert dossier.budget_years.count() == 3
    assert set(dossier.attachments.values_list("kind", flat=True)) == {
        AttachmentKind.BUDGET_TEMPLATE,
        AttachmentKind.MANDATE_LETTERS,
    }
    # One save per section, two uploads.
    assert dossier.section_versions == {**dict.fromkeys(DossierSection.values, 1), DossierSection.ATTACHMENTS: 2}


def test_dossier_with_29_mandates_has_exactly_one_gap_in_mandates(call, organisation, user):
    dossier = complete_dossier(call, organisation, user, mandates=29)

    assert [gap.section for gap in dossier_gaps(dossier)] == [DossierSection.MANDATES]


def test_dossier_for_refuses_without_a_submitted_preregistration(call, organisation):
    with pytest.raises(DossierLocked):
        dossier_for(call=call, organisation=organisation)

    assert not Dossier.objects.exists()


# --- Sections through the services ---------------------------------------------------------


def test_kpis_with_a_year_beyond_the_duration_are_refused(dossier, user):
    before = dossier_content(fresh(dossier))

    with pytest.raises(DomainError):
        kpis_save(
            dossier_id=dossier.pk,
            kpis=[{"name": "Te lang", "unit": "", "targets": {1: D("1"), 4: D("4")}}],
            expected_version=version_of(dossier.pk, DossierSection.OBJECTIVES),
            actor=user,
        )

    assert dossier_content(fresh(dossier)) == before
    assert version_of(dossier.pk, DossierSection.OBJECTIVES) == 1


def test_activities_in_a_year_beyond_the_duration_are_refused(dossier, user):
    with pytest.raises(DomainError):
        activities_save(
            dossier_id=dossier.pk,
            activities=[*ACTIVITIES, {"year": 4, "title": "Jaar vier", "description": ""}],
            expected_version=version_of(dossier.pk, DossierSection.ACTION_PLAN),
            actor=user,
        )

    assert list(Activity.objects.filter(dossier=dossier).values_list("year", "title")) == [(1, "Opstartworkshop")]
    assert version_of(dossier.pk, DossierSection.ACTION_PLAN) == 1


def test_kpi_without_any_target_leaves_an_objectives_gap(dossier, user):
    # The gap asks for "at least one KPI with a target": a KPI that names an indicator but
    # sets no target for any year does not meet it.
    kpis_save(
        dossier_id=dossier.pk,
        kpis=[{"name": "Aantal leden", "unit": "bedrijven", "targets": {1: None, 2: None, 3: None}}],
        expected_version=version_of(dossier.pk, DossierSection.OBJECTIVES),
        actor=user,
    )
    assert list(Kpi.objects.filter(dossier=dossier).values_list("targets", flat=True)) == [{}]

    assert [gap.section for gap in dossier_gaps(fresh(dossier))] == [DossierSection.OBJECTIVES]


# --- Submission ----------------------------------------------------------------------------


def test_dossier_submit_records_version_1_with_audit_and_email(
    dossier, user, call, mailoutbox, django_capture_on_commit_callbacks
):
    number = dossier.preregistration.number

    with django_capture_on_commit_callbacks(execute=True):
        submission = dossier_submit(dossier_id=dossier.pk, actor=user)

    assert submission.kind == "dossier"
    assert submission.version == 1
    assert submission.reference == f"{call.reference_prefix}-DS-{number:04d}-1"
    assert submission.dossier == dossier
    assert submission.preregistration == dossier.preregistration
    assert submission.submitted_by == user
    assert submission.deadline == call.dossier_deadline
    assert submission.extension is None
    assert fresh(dossier).state == DossierState.SUBMITTED

    [event] = dossier_events(dossier)
    assert event.action == "dossier.submitted"
    assert (event.from_state, event.to_state) == (DossierState.DRAFT, DossierState.SUBMITTED)
    assert event.actor == user
    assert event.data["reference"] == submission.reference
    assert event.data["sha256"] == submission.snapshot_sha256

    [mail] = mailoutbox
    assert user.email in mail.to
    assert submission.reference in mail.subject
    assert submission.reference in mail.body
    assert submission.snapshot_sha256 in mail.body
    assert [(name, mimetype) for name, _content, mimetype in mail.attachments] == [
        (f"{submission.reference}.pdf", "application/pdf")
    ]


def test_dossier_snapshot_certifies_mandates_budget_attachments_and_content(dossier, user):
    expected_content_sha256 = dossier_content_sha256(fresh(dossier))

    submission = dossier_submit(dossier_id=dossier.pk, actor=user)

    assert hashlib.sha256(submission.snapshot.encode("utf-8")).hexdigest() == submission.snapshot_sha256
    snapshot = json.loads(submission.snapshot)
    # Canonical: loading and dumping again gives the very same text.
    assert canonical_json(snapshot) == submission.snapshot
    assert snapshot["reference"] == submission.reference
    assert snapshot["version"] == 1
    assert snapshot["content_sha256"] == expected_content_sha256
    assert snapshot["mandating_enterprises_counted"] == 30
    content = snapshot["content"]
    assert [m["enterprise_number"] for m in content["mandates"]] == sorted(
        Mandate.objects.filter(dossier=dossier).values_list("enterprise_number", flat=True)
    )
    assert len(content["mandates"]) == 30
    assert content["budget"] == [
        {"year": year, **{name: format(value, "f") for name, value in BUDGET_YEAR.items()}} for year in (1, 2, 3)
    ]
    assert sorted(a["sha256"] for a in content["attachments"]) == sorted(
        Attachment.objects.filter(dossier=dossier).values_list("sha256", flat=True)
    )
    assert content["network"] == NETWORK
    assert content["objectives"][0]["name"] == KPIS[0]["name"]
    assert content["governance"]["staff_fte"] == "2.50"


def test_dossier_submit_twice_without_a_change_makes_one_version(dossier, user):
    """A double click or a second tab: the same content is not a new version (no second
    receipt, no second e-mail); the applicant is told it is already submitted."""
    first = dossier_submit(dossier_id=dossier.pk, actor=user)

    with pytest.raises(AlreadySubmitted) as refused:
        dossier_submit(dossier_id=dossier.pk, actor=user)

    assert refused.value.submission == first
    assert Submission.objects.filter(kind="dossier").count() == 1


def test_dossier_resubmit_is_version_2_and_leaves_version_1_untouched(dossier, user, call):
    first = dossier_submit(dossier_id=dossier.pk, actor=user)
    kept = Submission.objects.filter(pk=first.pk).values().get()

    save_section(dossier.pk, DossierSection.NETWORK, {**NETWORK, "theme": "Een gewijzigd thema"}, user)
    second = dossier_submit(dossier_id=dossier.pk, actor=user)

    assert second.version == 2
    assert second.reference == f"{call.reference_prefix}-DS-{dossier.preregistration.number:04d}-2"
    assert second.snapshot_sha256 != first.snapshot_sha256
    assert json.loads(second.snapshot)["content"]["network"]["theme"] == "Een gewijzigd thema"
    assert Submission.objects.filter(pk=first.pk).values().get() == kept
    assert json.loads(kept["snapshot"])["content"]["network"]["theme"] == NETWORK["theme"]
    assert fresh(dossier).state == DossierState.SUBMITTED
    assert [e.action for e in dossier_events(dossier)] == ["dossier.submitted", "dossier.resubmitted"]
    # A recorded version is immutable.
    with pytest.raises(ValidationError):
        first.save()
    with pytest.raises(ValidationError):
        first.delete()


def test_dossier_submit_when_incomplete_lists_gaps_and_changes_nothing(call, organisation, user):
    submitted_preregistration(call, organisation, user)
    dossier = dossier_for(call=call, organisation=organisation)
    save_section(dossier.pk, DossierSection.NETWORK, NETWORK, user)
    before = dossier_content(fresh(dossier))
    versions_before = fresh(dossier).section_versions

    with pytest.raises(DossierIncomplete) as excinfo:
        dossier_submit(dossier_id=dossier.pk, actor=user)

    sections = {gap.section for gap in excinfo.value.gaps}
    assert sections == set(DossierSection.values) - {DossierSection.NETWORK}
    assert excinfo.value.code == "dossier_incomplete"
    assert not Submission.objects.filter(kind="dossier").exists()
    after = fresh(dossier)
    assert after.state == DossierState.DRAFT
    assert dossier_content(after) == before
    assert after.section_versions == versions_before
    assert not dossier_events(dossier).exists()


def test_dossier_submit_with_29_mandates_is_refused_with_a_mandates_gap(call, organisation, user):
    dossier = complete_dossier(call, organisation, user, mandates=29)

    with pytest.raises(DossierIncomplete) as excinfo:
        dossier_submit(dossier_id=dossier.pk, actor=user)

    assert [gap.section for gap in excinfo.value.gaps] == [DossierSection.MANDATES]
    assert not Submission.objects.filter(kind="dossier").exists()
    assert fresh(dossier).state == DossierState.DRAFT


def test_dossier_submit_does_not_count_a_mandate_outside_flanders(call, organisation, user):
    dossier = complete_dossier(call, organisation, user, mandates=29)
    # A Brussels member may be added by hand, but it does not count towards the 30.
    mandate_add(
        dossier_id=dossier.pk,
        data={"enterprise_number": valid_enterprise_number(500), "name": "Brussel NV", "postal_code": "1000", "is_sme": True},
        actor=user,
    )

    with pytest.raises(DossierIncomplete) as excinfo:
        dossier_submit(dossier_id=dossier.pk, actor=user)

    assert [gap.section for gap in excinfo.value.gaps] == [DossierSection.MANDATES]


# --- Content hash ---------------------------------------------------------------------------


def test_content_sha256_is_stable_for_the_same_content(dossier, user):
    first = dossier_content_sha256(fresh(dossier))
    assert dossier_content_sha256(fresh(dossier)) == first

    # No-op re-saves: new section versions, same content.
    save_section(dossier.pk, DossierSection.NETWORK, NETWORK, user)
    save_section(dossier.pk, DossierSection.GOVERNANCE, GOVERNANCE, user)
    save_budget(dossier.pk, budget_years(3), user)
    kpis_save(dossier_id=dossier.pk, kpis=KPIS, expected_version=version_of(dossier.pk, DossierSection.OBJECTIVES), actor=user)

    after = fresh(dossier)
    assert after.section_version(DossierSection.NETWORK) == 2
    assert dossier_content_sha256(after) == first


def _one_more_character(dossier, user):
    save_section(dossier.pk, DossierSection.NETWORK, {**NETWORK, "theme": NETWORK["theme"] + "."}, user)


def _one_cent_more(dossier, user):
    years = budget_years(3)
    years[2]["other_costs"] += D("0.01")
    save_budget(dossier.pk, years, user)


def _one_mandate_more(dossier, user):
    mandate_add(
        dossier_id=dossier.pk,
        data={"enterprise_number": valid_enterprise_number(400), "name": "Extra BV", "postal_code": "3000", "is_sme": "ja"},
        actor=user,
    )


def _one_attachment_more(dossier, user):
    attachment_upload(
        dossier_id=dossier.pk, uploaded_file=pdf_upload("bijlage.pdf", "extra"), kind=AttachmentKind.OTHER, actor=user
    )


@pytest.mark.parametrize(
    "change",
    [_one_more_character, _one_cent_more, _one_mandate_more, _one_attachment_more],
    ids=["one-character", "one-cent", "one-mandate", "one-attachment"],
)
def test_content_sha256_changes_with_any_change(dossier, user, change):
    before = dossier_content_sha256(fresh(dossier))

    change(dossier, user)

    assert dossier_content_sha256(fresh(dossier)) != before


# --- Deadlines ------------------------------------------------------------------------------


def test_dossier_submit_one_microsecond_before_the_deadline_is_on_time(may_dossier, user):
    with time_machine.travel(DOSSIER_DEADLINE - ONE_MICROSECOND, tick=False):
        submission = dossier_submit(dossier_id=may_dossier.pk, actor=user)

    assert submission.submitted_at == DOSSIER_DEADLINE - ONE_MICROSECOND
    assert submission.deadline == DOSSIER_DEADLINE
    assert json.loads(submission.snapshot)["submitted_at"] == "2026-05-11T09:59:59.999999+00:00"
    assert fresh(may_dossier).state == DossierState.SUBMITTED


def test_dossier_submit_at_the_deadline_is_late_and_records_nothing(may_dossier, user):
    before = dossier_content(fresh(may_dossier))

    with time_machine.travel(DOSSIER_DEADLINE, tick=False), pytest.raises(DeadlinePassed) as excinfo:
        dossier_submit(dossier_id=may_dossier.pk, actor=user)

    assert excinfo.value.deadline == DOSSIER_DEADLINE
    assert not Submission.objects.filter(kind="dossier").exists()
    after = fresh(may_dossier)
    assert after.state == DossierState.DRAFT
    assert dossier_content(after) == before
    assert not dossier_events(may_dossier).exists()
    # The refused attempt itself is counted for the reviewers' dashboard.
    [late] = AuditEvent.objects.filter(action="dossier.late_attempt")
    assert late.actor == user
    assert datetime.fromisoformat(late.data["deadline"]) == DOSSIER_DEADLINE


def _edit_section(dossier, user):
    save_section(dossier.pk, DossierSection.NETWORK, {**NETWORK, "theme": "Te laat"}, user)


def _edit_mandates(dossier, user):
    _one_mandate_more(dossier, user)


def _edit_budget(dossier, user):
    save_budget(dossier.pk, budget_years(2), user)


def _edit_attachments(dossier, user):
    _one_attachment_more(dossier, user)


@pytest.mark.parametrize(
    "edit",
    [_edit_section, _edit_mandates, _edit_budget, _edit_attachments],
    ids=["section", "mandate_add", "budget", "attachment_upload"],
)
def test_edits_at_the_deadline_are_refused_and_change_nothing(may_dossier, user, private_storage, edit):
    before = dossier_content(fresh(may_dossier))
    versions_before = fresh(may_dossier).section_versions
    files_before = stored_files(private_storage)

    with time_machine.travel(DOSSIER_DEADLINE, tick=False), pytest.raises(DeadlinePassed):
        edit(may_dossier, user)

    after = fresh(may_dossier)
    assert dossier_content(after) == before
    assert after.section_versions == versions_before
    assert stored_files(private_storage) == files_before


@pytest.mark.parametrize(
    "edit",
    [_edit_section, _edit_mandates, _edit_budget, _edit_attachments],
    ids=["section", "mandate_add", "budget", "attachment_upload"],
)
def test_edits_one_microsecond_before_the_deadline_are_saved(may_dossier, user, edit):
    before = dossier_content_sha256(fresh(may_dossier))

    with time_machine.travel(DOSSIER_DEADLINE - ONE_MICROSECOND, tick=False):
        edit(may_dossier, user)

    assert dossier_content_sha256(fresh(may_dossier)) != before


def test_extension_lets_that_organisation_submit_after_the_deadline_and_no_other(may_call, may_dossier, organisation, user):
    other_user = UserFactory()
    other_organisation = OrganisationFactory(owner=other_user)
    with time_machine.travel(WHILE_PREREGISTRATION_OPEN, tick=False):
        other_dossier = complete_dossier(may_call, other_organisation, other_user)
    extended = DOSSIER_DEADLINE + timedelta(days=2)
    extension = Extension.objects.create(
        call=may_call, organisation=organisation, phase="dossier", deadline=extended, reason="Overmacht", granted_by=UserFactory()
    )

    with time_machine.travel(DOSSIER_DEADLINE + timedelta(hours=1), tick=False):
        submission = dossier_submit(dossier_id=may_dossier.pk, actor=user)
        with pytest.raises(DeadlinePassed) as excinfo:
            dossier_submit(dossier_id=other_dossier.pk, actor=other_user)

    assert submission.extension == extension
    assert submission.deadline == extended
    assert datetime.fromisoformat(json.loads(submission.snapshot)["deadline"]) == extended
    assert excinfo.value.deadline == DOSSIER_DEADLINE
    assert fresh(other_dossier).state == DossierState.DRAFT
    assert list(Submission.objects.filter(kind="dossier").values_list("dossier", flat=True)) == [may_dossier.pk]

    # The extension ends like a deadline does: at its instant exactly.
    with time_machine.travel(extended, tick=False), pytest.raises(DeadlinePassed):
        dossier_submit(dossier_id=may_dossier.pk, actor=user)
    assert Submission.objects.filter(kind="dossier").count() == 1


# --- Workflow table -------------------------------------------------------------------------

ALL_PAIRS = list(itertools.product(DossierState.values, repeat=2))


def test_dossier_transition_table_is_the_designed_one():
    # DESIGN.md §4: draft → submitted → admissible | inadmissible → approved | rejected,
    # re-submission while submitted, withdrawn before the deadline, and back to draft.
    S = DossierState
    assert set(DOSSIER_TRANSITIONS) == {
        (S.DRAFT, S.SUBMITTED),
        (S.SUBMITTED, S.SUBMITTED),
        (S.DRAFT, S.WITHDRAWN),
        (S.SUBMITTED, S.WITHDRAWN),
        (S.WITHDRAWN, S.DRAFT),
        (S.SUBMITTED, S.ADMISSIBLE),
        (S.SUBMITTED, S.INADMISSIBLE),
        (S.ADMISSIBLE, S.APPROVED),
        (S.ADMISSIBLE, S.REJECTED),
        (S.INADMISSIBLE, S.REJECTED),
    }
    assert len(ALL_PAIRS) == 49


@pytest.mark.parametrize(("from_state", "to_state"), ALL_PAIRS, ids=[f"{a}->{b}" for a, b in ALL_PAIRS])
def test_dossier_transition_pair(call, organisation, user, from_state, to_state):
    submitted_preregistration(call, organisation, user)
    dossier = dossier_for(call=call, organisation=organisation)
    Dossier.objects.filter(pk=dossier.pk).update(state=from_state)
    allowed = (from_state, to_state) in DOSSIER_TRANSITIONS
    assert can_transition(Dossier, from_state, to_state) is allowed

    if allowed:
        with transaction.atomic():
            locked = Dossier.objects.select_for_update().select_related("call", "organisation").get(pk=dossier.pk)
            result = transition(locked, to_state, actor=user, note="test")

        assert result.state == to_state
        assert fresh(dossier).state == to_state
        [event] = dossier_events(dossier)
        assert (event.from_state, event.to_state) == (from_state, to_state)
        assert event.actor == user
        assert event.note == "test"
        assert event.call == call
        assert event.organisation == organisation
        expected = "dossier.resubmitted" if from_state == to_state == DossierState.SUBMITTED else f"dossier.{to_state}"
        assert event.action == expected
    else:
        with pytest.raises(InvalidTransition) as excinfo, transaction.atomic():
            locked = Dossier.objects.select_for_update().select_related("call", "organisation").get(pk=dossier.pk)
            transition(locked, to_state, actor=user)

        assert (excinfo.value.from_state, excinfo.value.to_state) == (from_state, to_state)
        assert excinfo.value.code == "invalid_transition"
        assert fresh(dossier).state == from_state
        assert not dossier_events(dossier).exists()


# --- Withdraw and reopen --------------------------------------------------------------------


def test_dossier_withdraw_before_the_deadline(dossier, user):
    submission = dossier_submit(dossier_id=dossier.pk, actor=user)

    dossier_withdraw(dossier_id=dossier.pk, actor=user, note="We dienen later opnieuw in.")

    assert fresh(dossier).state == DossierState.WITHDRAWN
    event = dossier_events(dossier).last()
    assert (event.action, event.from_state, event.to_state) == ("dossier.withdrawn", "submitted", "withdrawn")
    assert event.note == "We dienen later opnieuw in."
    # The recorded version stays what it was.
    assert Submission.objects.get(pk=submission.pk).snapshot == submission.snapshot


def test_withdrawn_dossier_can_be_neither_edited_nor_submitted(dossier, user):
    dossier_withdraw(dossier_id=dossier.pk, actor=user)
    before = dossier_content(fresh(dossier))

    with pytest.raises(NotEditable):
        save_section(dossier.pk, DossierSection.NETWORK, {**NETWORK, "theme": "Na intrekking"}, user)
    with pytest.raises(NotEditable):
        dossier_submit(dossier_id=dossier.pk, actor=user)

    assert dossier_content(fresh(dossier)) == before
    assert not Submission.objects.filter(kind="dossier").exists()


def test_dossier_withdraw_at_the_deadline_is_refused(may_dossier, user):
    with time_machine.travel(DOSSIER_DEADLINE - timedelta(days=1), tick=False):
        dossier_submit(dossier_id=may_dossier.pk, actor=user)

    with time_machine.travel(DOSSIER_DEADLINE, tick=False), pytest.raises(DeadlinePassed):
        dossier_withdraw(dossier_id=may_dossier.pk, actor=user)

    assert fresh(may_dossier).state == DossierState.SUBMITTED


def test_preregistration_withdraw_is_refused_while_the_dossier_is_submitted(dossier, user):
    dossier_submit(dossier_id=dossier.pk, actor=user)
    preregistration = dossier.preregistration

    with pytest.raises(DomainError) as excinfo:
        preregistration_withdraw(preregistration_id=preregistration.pk, actor=user)

    assert not isinstance(excinfo.value, DeadlinePassed)
    assert PreRegistration.objects.get(pk=preregistration.pk).state == PreRegistrationState.SUBMITTED

    # Once the dossier is withdrawn, the pre-registration may go too, and the dossier locks.
    dossier_withdraw(dossier_id=dossier.pk, actor=user)
    preregistration_withdraw(preregistration_id=preregistration.pk, actor=user)
    assert PreRegistration.objects.get(pk=preregistration.pk).state == PreRegistrationState.WITHDRAWN
    with pytest.raises(DossierLocked):
        dossier_for(call=dossier.call, organisation=dossier.organisation)


def test_dossier_reopen_makes_it_a_draft_that_can_be_submitted_again(dossier, user, call):
    dossier_submit(dossier_id=dossier.pk, actor=user)
    dossier_withdraw(dossier_id=dossier.pk, actor=user)

    dossier_reopen(dossier_id=dossier.pk, actor=user)

    assert fresh(dossier).state == DossierState.DRAFT
    assert dossier_events(dossier).last().action == "dossier.draft"
    save_section(dossier.pk, DossierSection.NETWORK, {**NETWORK, "theme": "Heropend"}, user)
    second = dossier_submit(dossier_id=dossier.pk, actor=user)
    assert second.version == 2
    assert second.reference.endswith("-2")


def test_dossier_reopen_of_a_submitted_dossier_is_an_invalid_transition(dossier, user):
    dossier_submit(dossier_id=dossier.pk, actor=user)

    with pytest.raises(InvalidTransition):
        dossier_reopen(dossier_id=dossier.pk, actor=user)

    assert fresh(dossier).state == DossierState.SUBMITTED


# --- Queries --------------------------------------------------------------------------------

SUBMIT_QUERY_BUDGET = 25


def _submit_query_count(call, mandates: int) -> int:
    user = UserFactory()
    dossier = complete_dossier(call, OrganisationFactory(owner=user), user, mandates=mandates)
    assert Mandate.objects.filter(dossier=dossier).count() == mandates
    with CaptureQueriesContext(connection) as queries:
        dossier_submit(dossier_id=dossier.pk, actor=user)
    return len(queries.captured_queries)


def test_dossier_submit_queries_do_not_grow_with_mandates(call, django_assert_max_num_queries):
    with_30 = _submit_query_count(call, 30)
    with_60 = _submit_query_count(call, 60)

    assert with_30 == with_60
    assert with_30 <= SUBMIT_QUERY_BUDGET

    user = UserFactory()
    dossier = complete_dossier(call, OrganisationFactory(owner=user), user, mandates=30)
    with django_assert_max_num_queries(SUBMIT_QUERY_BUDGET):
        dossier_submit(dossier_id=dossier.pk, actor=user)


def test_kpi_targets_are_stored_as_decimal_strings(dossier):
    assert list(Kpi.objects.filter(dossier=dossier).values_list("targets", flat=True)) == [{"1": "30", "2": "40", "3": "50"}]


# --- Concurrency (PostgreSQL) ---------------------------------------------------------------

requires_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks only serialise real concurrent transactions on PostgreSQL; run with DATABASE_URL=postgres://... (CI does)",
)


class Request(threading.Thread):
    """One service call in its own thread, hence its own database connection (as two web
    requests would have). ``pid`` is its PostgreSQL backend, to see when it waits."""

    def __init__(self, func):
        super().__init__(daemon=True)
        self.func = func
        self.pid = None
        self.started_work = threading.Event()
        self.result = None

    def run(self):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                self.pid = cursor.fetchone()[0]
            self.started_work.set()
            self.result = self.func()
        except Exception as exc:  # the test inspects it
            self.result = exc
        finally:
            self.started_work.set()
            connections.close_all()


def wait_until_blocked_or_done(request: Request) -> None:
    """Return once the request's transaction waits for a lock (or has finished). Polls
    PostgreSQL's own lock graph; no fixed sleep decides the interleaving."""
    assert request.started_work.wait(timeout=30)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if not request.is_alive():
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT cardinality(pg_blocking_pids(%s))", [request.pid])
            if cursor.fetchone()[0]:
                return
    pytest.fail("the request neither blocked nor finished")


@requires_postgresql
@pytest.mark.django_db(transaction=True)
def test_preregistration_withdraw_racing_a_dossier_submit_never_lets_both_happen(call, organisation, user):
    # The pre-registration may not be withdrawn while its dossier is submitted, and a
    # dossier may not be submitted on a withdrawn pre-registration. Two colleagues click
    # at the same moment: exactly one of them may succeed.
    dossier = complete_dossier(call, organisation, user)
    preregistration = dossier.preregistration
    withdraw = Request(lambda: preregistration_withdraw(preregistration_id=preregistration.pk, actor=user))
    submit = Request(lambda: dossier_submit(dossier_id=dossier.pk, actor=user))
    try:
        # A third request holds the pre-registration row for a moment; the withdrawal
        # queues for it first, then the submit runs as far as it can.
        with transaction.atomic():
            PreRegistration.objects.select_for_update().get(pk=preregistration.pk)
            withdraw.start()
            wait_until_blocked_or_done(withdraw)
            submit.start()
            wait_until_blocked_or_done(submit)
    finally:
        for request in (withdraw, submit):
            if request.ident is not None:  # started
                request.join(timeout=60)
    assert not withdraw.is_alive() and not submit.is_alive(), "a request hung"

    final = (PreRegistration.objects.get(pk=preregistration.pk).state, Dossier.objects.get(pk=dossier.pk).state)
    succeeded = [
        name for name, request in (("withdraw", withdraw), ("submit", submit)) if not isinstance(request.result, Exception)
    ]
    assert final in {
        (PreRegistrationState.SUBMITTED, DossierState.SUBMITTED),
        (PreRegistrationState.WITHDRAWN, DossierState.DRAFT),
    }, (final, withdraw.result, submit.result)
    assert len(succeeded) == 1, (withdraw.result, submit.result)
