"""Submitting, both phases (intake.services.submissions): the pre-registration and the full
dossier are recorded as immutable numbered versions with a canonical snapshot, audited and
confirmed by e-mail; incomplete ones are refused with what is missing; the deadline holds
to the microsecond (extensions move it for one organisation); the dossier submit's query
count does not grow with its mandates; concurrent submits (PostgreSQL only) record one."""

import hashlib
import json
from datetime import datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from intake.kernel.enums import DossierSection, DossierState, Phase, PreRegistrationState
from intake.kernel.errors import AlreadySubmitted, DeadlinePassed, DossierIncomplete, Incomplete
from intake.models import Attachment, AuditEvent, Extension, Mandate, PreRegistration, Submission
from intake.rules.snapshots import canonical_json, dossier_content, dossier_content_sha256
from intake.services.dossiers import dossier_for
from intake.services.mandates import mandate_add
from intake.services.submissions import dossier_submit, preregistration_submit
from tests.concurrency import requires_postgresql, run_together
from tests.factories import CallFactory, OrganisationFactory, PreRegistrationFactory, UserFactory
from tests.intake.dossier_helpers import (
    BUDGET_YEAR,
    DOSSIER_DEADLINE,
    KPIS,
    NETWORK,
    ONE_MICROSECOND,
    WHILE_PREREGISTRATION_OPEN,
    complete_dossier,
    dossier_events,
    fresh,
    save_section,
    submitted_preregistration,
    valid_enterprise_number,
)
from tests.intake.preregistration_helpers import noon_call, stored

# --- Pre-registration ------------------------------------------------------------------------


@pytest.mark.django_db
def test_preregistration_submit_incomplete_is_refused(call, organisation, user):
    preregistration = PreRegistrationFactory(call=call, organisation=organisation)

    with pytest.raises(Incomplete) as excinfo:
        preregistration_submit(preregistration_id=preregistration.pk, actor=user)

    assert len(excinfo.value.missing) == len(PreRegistration.REQUIRED_FOR_SUBMIT)
    preregistration.refresh_from_db()
    assert preregistration.state == PreRegistrationState.DRAFT
    assert preregistration.number is None
    assert not Submission.objects.exists()
    assert not AuditEvent.objects.filter(action="preregistration.submitted").exists()


@pytest.mark.django_db
def test_preregistration_submit_one_missing_field_is_listed(call, organisation, user):
    preregistration = PreRegistrationFactory(call=call, organisation=organisation, complete=True, target_group="")

    with pytest.raises(Incomplete) as excinfo:
        preregistration_submit(preregistration_id=preregistration.pk, actor=user)

    assert excinfo.value.missing == [str(PreRegistration._meta.get_field("target_group").verbose_name)]
    assert stored(preregistration)["state"] == PreRegistrationState.DRAFT


@pytest.mark.django_db
def test_preregistration_submit_policy_priority_of_another_call_is_incomplete(call, organisation, user):
    foreign_priority = CallFactory().policy_priorities.first()
    preregistration = PreRegistrationFactory(
        call=call, organisation=organisation, complete=True, policy_priority=foreign_priority
    )

    with pytest.raises(Incomplete):
        preregistration_submit(preregistration_id=preregistration.pk, actor=user)

    assert not Submission.objects.exists()


@pytest.mark.django_db
def test_preregistration_submit_records_snapshot_audit_and_mail(
    at_brussels, organisation, user, mailoutbox, django_capture_on_commit_callbacks
):
    frozen = at_brussels(2026, 1, 20, 9, 15, 30, 123456)
    call = noon_call(at_brussels, 2026, 1, 23)
    preregistration = PreRegistrationFactory(call=call, organisation=organisation, complete=True)

    with time_machine.travel(frozen, tick=False), django_capture_on_commit_callbacks(execute=True):
        submission = preregistration_submit(preregistration_id=preregistration.pk, actor=user)

    submission = Submission.objects.get()
    assert submission.reference == f"{call.reference_prefix}-VA-0001"
    assert submission.kind == "preregistration"
    assert submission.preregistration == preregistration
    assert submission.version == 1
    assert submission.snapshot_sha256 == hashlib.sha256(submission.snapshot.encode("utf-8")).hexdigest()
    assert submission.submitted_at == frozen
    assert submission.submitted_by == user
    assert submission.deadline == call.preregistration_deadline
    assert '"network_name":"Netwerk voor slimme warmte"' in submission.snapshot
    preregistration.refresh_from_db()
    assert preregistration.state == PreRegistrationState.SUBMITTED
    assert preregistration.submitted_at == frozen
    assert preregistration.reference == submission.reference
    event = AuditEvent.objects.get(action="preregistration.submitted")
    assert (event.from_state, event.to_state) == (PreRegistrationState.DRAFT, PreRegistrationState.SUBMITTED)
    assert event.actor == user
    assert event.data["reference"] == submission.reference
    assert event.data["sha256"] == submission.snapshot_sha256
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert user.email in mail.to
    assert submission.reference in mail.subject
    assert submission.reference in mail.body
    assert submission.snapshot_sha256 in mail.body


@pytest.mark.django_db
def test_preregistration_submit_numbers_per_call_in_order(call, user):
    first_org, second_org = OrganisationFactory(owner=user), OrganisationFactory(owner=user)
    first = PreRegistrationFactory(call=call, organisation=first_org, complete=True)
    second = PreRegistrationFactory(call=call, organisation=second_org, complete=True)

    a = preregistration_submit(preregistration_id=second.pk, actor=user)
    b = preregistration_submit(preregistration_id=first.pk, actor=user)

    assert a.reference == f"{call.reference_prefix}-VA-0001"
    assert b.reference == f"{call.reference_prefix}-VA-0002"


@pytest.mark.django_db
def test_a_refused_submit_hands_out_no_number(call, user):
    """Numbers come from the call's counter: a submit refused as incomplete gives its
    number back (the transaction rolls back), so the next one is not a gap."""
    incomplete = PreRegistrationFactory(call=call, organisation=OrganisationFactory(owner=user))
    complete = PreRegistrationFactory(call=call, organisation=OrganisationFactory(owner=user), complete=True)

    with pytest.raises(Incomplete):
        preregistration_submit(preregistration_id=incomplete.pk, actor=user)
    submission = preregistration_submit(preregistration_id=complete.pk, actor=user)

    assert submission.reference == f"{call.reference_prefix}-VA-0001"
    call.refresh_from_db()
    assert call.last_preregistration_number == 1


@pytest.mark.django_db
def test_saving_a_call_loaded_before_a_submission_keeps_the_counter(call, user):
    """A call manager's save of the call (loaded before a first submission) does not write
    back the count it was loaded with: the next number is not handed out twice."""
    loaded_earlier = type(call).objects.get(pk=call.pk)
    first = PreRegistrationFactory(call=call, organisation=OrganisationFactory(owner=user), complete=True)
    preregistration_submit(preregistration_id=first.pk, actor=user)

    loaded_earlier.title = "Derde oproep (rechtgezet)"
    loaded_earlier.save()
    second = PreRegistrationFactory(call=call, organisation=OrganisationFactory(owner=user), complete=True)

    assert preregistration_submit(preregistration_id=second.pk, actor=user).reference.endswith("-VA-0002")
    assert type(call).objects.get(pk=call.pk).title == "Derde oproep (rechtgezet)"


@pytest.mark.django_db
def test_numbering_continues_from_the_counter(call, user):
    """A call whose counter stands at 41 (numbers handed out before) goes on with 42."""
    type(call).objects.filter(pk=call.pk).update(last_preregistration_number=41)
    preregistration = PreRegistrationFactory(call=call, organisation=OrganisationFactory(owner=user), complete=True)

    assert preregistration_submit(preregistration_id=preregistration.pk, actor=user).reference.endswith("-VA-0042")


@pytest.mark.django_db
def test_preregistration_submit_twice_is_already_submitted(call, organisation, user, django_capture_on_commit_callbacks):
    preregistration = PreRegistrationFactory(call=call, organisation=organisation, complete=True)
    first = preregistration_submit(preregistration_id=preregistration.pk, actor=user)

    with pytest.raises(AlreadySubmitted) as excinfo:
        preregistration_submit(preregistration_id=preregistration.pk, actor=user)

    assert excinfo.value.submission == first
    assert Submission.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("date", [(2026, 1, 23), (2026, 5, 11)], ids=["january-cet", "may-cest"])
def test_preregistration_submit_at_the_last_microsecond_is_on_time(at_brussels, organisation, user, date):
    call = noon_call(at_brussels, *date)
    preregistration = PreRegistrationFactory(call=call, organisation=organisation, complete=True)
    on_time = at_brussels(*date, 11, 59, 59, 999999)

    with time_machine.travel(on_time, tick=False):
        preregistration_submit(preregistration_id=preregistration.pk, actor=user)

    submission = Submission.objects.get()
    assert submission.submitted_at == on_time
    assert submission.submitted_at < submission.deadline == at_brussels(*date, 12)
    assert stored(preregistration)["state"] == PreRegistrationState.SUBMITTED


@pytest.mark.django_db
@pytest.mark.parametrize("date", [(2026, 1, 23), (2026, 5, 11)], ids=["january-cet", "may-cest"])
def test_preregistration_submit_at_noon_is_late_and_keeps_the_draft(at_brussels, organisation, user, date):
    call = noon_call(at_brussels, *date)
    preregistration = PreRegistrationFactory(call=call, organisation=organisation, complete=True)
    before = stored(preregistration)

    with time_machine.travel(at_brussels(*date, 12, 0, 0, 0), tick=False), pytest.raises(DeadlinePassed) as excinfo:
        preregistration_submit(preregistration_id=preregistration.pk, actor=user)

    assert excinfo.value.deadline == at_brussels(*date, 12)
    assert stored(preregistration) == before
    assert before["state"] == PreRegistrationState.DRAFT
    assert not Submission.objects.exists()
    assert not AuditEvent.objects.filter(action="preregistration.submitted").exists()


@pytest.mark.django_db
def test_preregistration_submit_with_extension_is_on_time_after_the_call_deadline(at_brussels, organisation, user):
    call = noon_call(at_brussels, 2026, 1, 23)
    extension = Extension.objects.create(
        call=call,
        organisation=organisation,
        phase=Phase.PREREGISTRATION,
        deadline=at_brussels(2026, 1, 27, 12),
        reason="Storing",
        granted_by=UserFactory(),
    )
    preregistration = PreRegistrationFactory(call=call, organisation=organisation, complete=True)

    with time_machine.travel(at_brussels(2026, 1, 24, 10), tick=False):
        submission = preregistration_submit(preregistration_id=preregistration.pk, actor=user)

    assert submission.deadline == at_brussels(2026, 1, 27, 12)
    assert submission.extension == extension


@requires_postgresql
@pytest.mark.django_db(transaction=True)
def test_preregistration_submit_concurrent_twice_gives_one_submission(call, organisation, user, mailoutbox):
    preregistration = PreRegistrationFactory(call=call, organisation=organisation, complete=True)

    def submit():
        return preregistration_submit(preregistration_id=preregistration.pk, actor=user)

    results = run_together(submit, submit)

    submissions = [r for r in results if isinstance(r, Submission)]
    refused = [r for r in results if isinstance(r, AlreadySubmitted)]
    assert len(submissions) == 1, results
    assert len(refused) == 1, results
    assert refused[0].submission.pk == submissions[0].pk
    assert Submission.objects.count() == 1
    assert stored(preregistration)["state"] == PreRegistrationState.SUBMITTED
    assert AuditEvent.objects.filter(action="preregistration.submitted").count() == 1
    assert len(mailoutbox) == 1


@requires_postgresql
@pytest.mark.django_db(transaction=True)
def test_preregistration_submit_concurrent_two_organisations_get_distinct_numbers(call, user):
    drafts = [PreRegistrationFactory(call=call, organisation=OrganisationFactory(owner=user), complete=True) for _ in range(2)]

    results = run_together(*[lambda pk=d.pk: preregistration_submit(preregistration_id=pk, actor=user) for d in drafts])

    assert all(isinstance(r, Submission) for r in results), results
    assert sorted(Submission.objects.values_list("reference", flat=True)) == [
        f"{call.reference_prefix}-VA-0001",
        f"{call.reference_prefix}-VA-0002",
    ]


# --- Full dossier ----------------------------------------------------------------------------


def test_dossier_submit_records_version_1_with_audit_and_email(
    ready_dossier, user, call, mailoutbox, django_capture_on_commit_callbacks
):
    number = ready_dossier.preregistration.number

    with django_capture_on_commit_callbacks(execute=True):
        submission = dossier_submit(dossier_id=ready_dossier.pk, actor=user)

    assert submission.kind == "dossier"
    assert submission.version == 1
    assert submission.reference == f"{call.reference_prefix}-DS-{number:04d}-1"
    assert submission.dossier == ready_dossier
    assert submission.preregistration == ready_dossier.preregistration
    assert submission.submitted_by == user
    assert submission.deadline == call.dossier_deadline
    assert submission.extension is None
    assert fresh(ready_dossier).state == DossierState.SUBMITTED

    [event] = dossier_events(ready_dossier)
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


def test_dossier_snapshot_certifies_mandates_budget_attachments_and_content(ready_dossier, user):
    expected_content_sha256 = dossier_content_sha256(fresh(ready_dossier))

    submission = dossier_submit(dossier_id=ready_dossier.pk, actor=user)

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
        Mandate.objects.filter(dossier=ready_dossier).values_list("enterprise_number", flat=True)
    )
    assert len(content["mandates"]) == 30
    assert content["budget"] == [
        {"year": year, **{name: format(value, "f") for name, value in BUDGET_YEAR.items()}} for year in (1, 2, 3)
    ]
    assert sorted(a["sha256"] for a in content["attachments"]) == sorted(
        Attachment.objects.filter(dossier=ready_dossier).values_list("sha256", flat=True)
    )
    assert content["network"] == NETWORK
    assert content["objectives"][0]["name"] == KPIS[0]["name"]
    assert content["governance"]["staff_fte"] == "2.50"


def test_dossier_submit_twice_without_a_change_makes_one_version(ready_dossier, user):
    """A double click or a second tab: the same content is not a new version (no second
    receipt, no second e-mail); the applicant is told it is already submitted."""
    first = dossier_submit(dossier_id=ready_dossier.pk, actor=user)

    with pytest.raises(AlreadySubmitted) as refused:
        dossier_submit(dossier_id=ready_dossier.pk, actor=user)

    assert refused.value.submission == first
    assert Submission.objects.filter(kind="dossier").count() == 1


def test_dossier_resubmit_is_version_2_and_leaves_version_1_untouched(ready_dossier, user, call):
    first = dossier_submit(dossier_id=ready_dossier.pk, actor=user)
    kept = Submission.objects.filter(pk=first.pk).values().get()

    save_section(ready_dossier.pk, DossierSection.NETWORK, {**NETWORK, "theme": "Een gewijzigd thema"}, user)
    second = dossier_submit(dossier_id=ready_dossier.pk, actor=user)

    assert second.version == 2
    assert second.reference == f"{call.reference_prefix}-DS-{ready_dossier.preregistration.number:04d}-2"
    assert second.snapshot_sha256 != first.snapshot_sha256
    assert json.loads(second.snapshot)["content"]["network"]["theme"] == "Een gewijzigd thema"
    assert Submission.objects.filter(pk=first.pk).values().get() == kept
    assert json.loads(kept["snapshot"])["content"]["network"]["theme"] == NETWORK["theme"]
    assert fresh(ready_dossier).state == DossierState.SUBMITTED
    assert [e.action for e in dossier_events(ready_dossier)] == ["dossier.submitted", "dossier.resubmitted"]
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


# The locked dossier (with its call and pre-registration), its deadline, its latest version,
# its five parts (KPIs, activities, mandates, budget, attachments), then the submission, the
# state, the audit event and the receipt: 12; whether a KBO extract is loaded (issue 14: one
# query with registry checks off, four more with them on, whatever the number of mandates):
# 13; the submitter's membership, for how their acting for the organisation was established
# (issue 15: a sign-in or the portal): 14; plus the savepoint pair of the test transaction.
SUBMIT_QUERY_BUDGET = 14 + 2


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
