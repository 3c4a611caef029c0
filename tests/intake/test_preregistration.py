"""The pre-registration (vooraanmelding): drafts with an optimistic lock, submission with
an immutable snapshot, the deadline at 12:00:00.000000 Brussels time, withdrawal, the
dossier unlock, access scoping, and concurrent requests (PostgreSQL only)."""

import hashlib
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from intake.kernel.enums import Phase, PreRegistrationState
from intake.kernel.errors import (
    AlreadySubmitted,
    DeadlinePassed,
    DomainError,
    EditConflict,
    Incomplete,
    InvalidTransition,
    PhaseNotOpenYet,
)
from intake.kernel.formatting import format_brussels, format_brussels_long, format_duration
from intake.models import AuditEvent, Extension, Membership, PreRegistration, Submission
from intake.selectors.preregistrations import dossier_unlocked
from intake.services.preregistrations import preregistration_reopen, preregistration_save_draft, preregistration_withdraw
from intake.services.submissions import preregistration_submit
from tests.concurrency import requires_postgresql, run_together
from tests.factories import (
    CallFactory,
    OrganisationFactory,
    PreRegistrationFactory,
    UserFactory,
    complete_preregistration_data,
)

# Everything a save could change, to prove that a refused request changed nothing.
STORED_FIELDS = (
    *PreRegistration.CONTENT_FIELDS,
    "state",
    "version",
    "number",
    "updated_at",
    "updated_by",
    "submitted_at",
    "submitted_by",
)


def stored(preregistration_or_pk):
    pk = getattr(preregistration_or_pk, "pk", preregistration_or_pk)
    return PreRegistration.objects.filter(pk=pk).values(*STORED_FIELDS).get()


def prereg_url(call, organisation=None, action=""):
    name = f"intake:preregistration_{action}" if action else "intake:preregistration"
    url = reverse(name, kwargs={"slug": call.slug})
    return f"{url}?organisation={organisation.pk}" if organisation is not None else url


def form_post(call, organisation, version, **overrides):
    """What the browser posts: the hidden fields plus every content field, as strings."""
    data = complete_preregistration_data(call)
    data.update(contact_phone="+32 3 555 12 34")
    data.update(overrides)
    post = {"organisation": str(organisation.pk), "version": str(version)}
    for name, value in data.items():
        if name == "policy_priority":
            post[name] = str(value.pk) if value is not None else ""
        else:
            post[name] = "" if value is None else str(value)
    return post


def save_draft(call, organisation, user, version=0, **overrides):
    data = complete_preregistration_data(call) | overrides
    return preregistration_save_draft(call=call, organisation=organisation, data=data, expected_version=version, actor=user)


@pytest.fixture
def draft(call, organisation, user):
    return save_draft(call, organisation, user)


def noon_call(at_brussels, year, month, day):
    """A call whose pre-registration deadline is 12:00 Brussels time on that day."""
    deadline = at_brussels(year, month, day, 12)
    return CallFactory(
        opens_at=deadline - timedelta(days=60), preregistration_deadline=deadline, dossier_deadline=deadline + timedelta(days=100)
    )


# --- Drafts -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_preregistration_page_starts_with_version_zero(logged_in_client, call, organisation):
    response = logged_in_client.get(prereg_url(call, organisation))

    assert response.status_code == 200
    assert response.context["form"]["version"].value() == 0
    assert response.context["editable"] is True
    assert not PreRegistration.objects.exists()


@pytest.mark.django_db
def test_preregistration_save_draft_view_creates_version_1_then_2(logged_in_client, call, organisation, user):
    first = logged_in_client.post(prereg_url(call), form_post(call, organisation, 0))

    assert first.status_code == 302
    assert first["Location"] == prereg_url(call, organisation)
    preregistration = PreRegistration.objects.get(call=call, organisation=organisation)
    assert preregistration.version == 1
    assert preregistration.state == PreRegistrationState.DRAFT
    assert preregistration.network_name == "Netwerk voor slimme warmte"
    assert preregistration.contact_phone == "+32 3 555 12 34"
    assert preregistration.policy_priority == call.policy_priorities.first()
    assert preregistration.updated_by == user
    assert logged_in_client.get(prereg_url(call, organisation)).context["form"]["version"].value() == 1

    second = logged_in_client.post(prereg_url(call), form_post(call, organisation, 1, network_name="Warmtenetwerk 2.0"))

    assert second.status_code == 302
    preregistration.refresh_from_db()
    assert preregistration.version == 2
    assert preregistration.network_name == "Warmtenetwerk 2.0"
    assert PreRegistration.objects.count() == 1


@pytest.mark.django_db
def test_preregistration_save_draft_service_versions(call, organisation, user):
    created = save_draft(call, organisation, user, version=0)
    assert created.version == 1

    saved = save_draft(call, organisation, user, version=1, acronym="WARM2")

    assert saved.pk == created.pk
    assert saved.version == 2
    assert stored(saved)["acronym"] == "WARM2"


@pytest.mark.django_db
def test_preregistration_save_draft_service_stale_version_is_edit_conflict(call, organisation, user):
    colleague = UserFactory()
    Membership.objects.create(organisation=organisation, user=colleague, role="editor")
    save_draft(call, organisation, user, version=0)
    save_draft(call, organisation, colleague, version=1, network_name="Versie van de collega")
    before = stored(PreRegistration.objects.get())

    with pytest.raises(EditConflict) as excinfo:
        save_draft(call, organisation, user, version=1, network_name="Mijn oudere versie")

    assert excinfo.value.code == "edit_conflict"
    assert excinfo.value.saved_by == colleague
    assert stored(PreRegistration.objects.get()) == before
    assert before["version"] == 2
    assert before["network_name"] == "Versie van de collega"


@pytest.mark.django_db
def test_preregistration_save_draft_service_first_save_with_nonzero_version_is_conflict(call, organisation, user):
    with pytest.raises(EditConflict):
        save_draft(call, organisation, user, version=3)

    assert not PreRegistration.objects.exists()


@pytest.mark.django_db
def test_preregistration_save_draft_view_stale_version_is_409_and_keeps_typed_values(logged_in_client, call, organisation, user):
    save_draft(call, organisation, user, version=0)
    save_draft(call, organisation, UserFactory(), version=1, network_name="Versie van de collega")
    before = stored(PreRegistration.objects.get())
    typed = form_post(
        call,
        organisation,
        1,
        network_name="Mijn eigen netwerknaam",
        acronym="MIJN",
        proposal="Mijn tekst die niet verloren mag gaan.",
        expected_member_count=55,
        committed_member_count=20,
        contact_email="ik@example.org",
    )

    response = logged_in_client.post(prereg_url(call), typed)

    assert response.status_code == 409
    assert stored(PreRegistration.objects.get()) == before
    form = response.context["form"]
    html = response.content.decode()
    for name in PreRegistration.CONTENT_FIELDS:
        assert str(form[name].value() or "") == typed[name], name
    assert 'value="Mijn eigen netwerknaam"' in html
    assert "Mijn tekst die niet verloren mag gaan." in html
    assert response.context["conflict"] is not None
    # The hidden version now points at the stored version: saving again is deliberate.
    assert str(form["version"].value()) == str(before["version"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"proposal": "x" * 2001}, "proposal", "too_long"),
        ({"expected_member_count": 10, "committed_member_count": 11}, "committed_member_count", "committed_gt_expected"),
        # A number the database cannot hold is a form error, not an error page.
        ({"expected_member_count": 3_000_000_000}, "expected_member_count", "max_value"),
    ],
    ids=["proposal-too-long", "committed-more-than-expected", "count-too-large"],
)
def test_preregistration_invalid_form_keeps_typed_values_and_saves_nothing(
    logged_in_client, call, organisation, user, overrides, field, code
):
    assert call.proposal_max_chars == 2000
    typed = form_post(call, organisation, 0, network_name="Ongeldig maar bewaard", **overrides)

    response = logged_in_client.post(prereg_url(call), typed)

    assert response.status_code == 400
    assert not PreRegistration.objects.exists()
    form = response.context["form"]
    assert form.has_error(field, code=code)
    for name in PreRegistration.CONTENT_FIELDS:
        assert str(form[name].value() or "") == typed[name], name
    html = response.content.decode()
    assert 'value="Ongeldig maar bewaard"' in html
    assert typed["proposal"] in html


@pytest.mark.django_db
def test_preregistration_invalid_form_leaves_an_existing_draft_unchanged(logged_in_client, call, organisation, user, draft):
    before = stored(draft)

    response = logged_in_client.post(prereg_url(call), form_post(call, organisation, 1, proposal="y" * 2001, acronym="NIEUW"))

    assert response.status_code == 400
    assert stored(draft) == before


# --- Submitting -------------------------------------------------------------------------


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
def test_preregistration_submit_twice_is_already_submitted(call, organisation, user, django_capture_on_commit_callbacks):
    preregistration = PreRegistrationFactory(call=call, organisation=organisation, complete=True)
    first = preregistration_submit(preregistration_id=preregistration.pk, actor=user)

    with pytest.raises(AlreadySubmitted) as excinfo:
        preregistration_submit(preregistration_id=preregistration.pk, actor=user)

    assert excinfo.value.submission == first
    assert Submission.objects.count() == 1


@pytest.mark.django_db
def test_preregistration_submit_view_shows_the_reference(
    logged_in_client, call, organisation, user, draft, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in_client.post(prereg_url(call, action="submit"), {"organisation": organisation.pk}, follow=True)

    submission = Submission.objects.get()
    assert response.redirect_chain[-1] == (prereg_url(call, organisation), 302)
    assert response.status_code == 200
    assert submission.reference == f"{call.reference_prefix}-VA-0001"
    assert any(submission.reference in str(m) for m in response.context["messages"])
    assert submission.reference in response.content.decode()
    assert stored(draft)["state"] == PreRegistrationState.SUBMITTED
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_preregistration_submit_view_without_draft_creates_nothing(logged_in_client, call, organisation):
    response = logged_in_client.post(prereg_url(call, action="submit"), {"organisation": organisation.pk})

    assert response.status_code == 302
    assert not PreRegistration.objects.exists()
    assert not Submission.objects.exists()


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
def test_preregistration_submit_view_at_noon_is_refused(client, at_brussels, organisation, user):
    call = noon_call(at_brussels, 2026, 1, 23)
    preregistration = PreRegistrationFactory(call=call, organisation=organisation, complete=True)
    before = stored(preregistration)
    client.force_login(user)

    with time_machine.travel(at_brussels(2026, 1, 23, 12), tick=False):
        response = client.post(prereg_url(call, action="submit"), {"organisation": organisation.pk})

    assert response.status_code == 302
    assert stored(preregistration) == before
    assert not Submission.objects.exists()


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


@pytest.mark.django_db
@pytest.mark.parametrize("date", [(2026, 1, 23), (2026, 5, 11)], ids=["january-cet", "may-cest"])
def test_preregistration_late_save_via_view_changes_nothing(client, at_brussels, organisation, user, date):
    call = noon_call(at_brussels, *date)
    client.force_login(user)
    with time_machine.travel(at_brussels(*date, 9), tick=False):
        assert client.post(prereg_url(call), form_post(call, organisation, 0)).status_code == 302
    preregistration = PreRegistration.objects.get()
    before = stored(preregistration)

    with time_machine.travel(at_brussels(*date, 12), tick=False):
        response = client.post(
            prereg_url(call),
            form_post(call, organisation, 1, network_name="Te laat", proposal="Te late tekst", acronym="LAAT"),
        )

    assert 400 <= response.status_code < 500 or response.status_code == 302
    assert stored(preregistration) == before
    assert before["version"] == 1
    if response.status_code != 302:
        assert response.context["editable"] is False


@pytest.mark.django_db
def test_preregistration_late_first_save_creates_nothing(client, at_brussels, organisation, user):
    call = noon_call(at_brussels, 2026, 1, 23)
    client.force_login(user)

    with time_machine.travel(at_brussels(2026, 1, 23, 12), tick=False):
        response = client.post(prereg_url(call), form_post(call, organisation, 0))

    assert 400 <= response.status_code < 500 or response.status_code == 302
    assert not PreRegistration.objects.exists()


@pytest.mark.django_db
def test_preregistration_before_opening_says_when_and_refuses_to_save(client, at_brussels, organisation, user):
    call = noon_call(at_brussels, 2026, 5, 11)
    client.force_login(user)

    with time_machine.travel(call.opens_at - timedelta(hours=1), tick=False):
        page = client.get(prereg_url(call, organisation))
        response = client.post(prereg_url(call), form_post(call, organisation, 0))
        with pytest.raises(PhaseNotOpenYet) as excinfo:
            save_draft(call, organisation, user)

    assert page.status_code == 200
    assert page.context["phase"].is_upcoming
    assert page.context["editable"] is False
    assert format_brussels(call.opens_at) in page.content.decode()
    assert 400 <= response.status_code < 500 or response.status_code == 302
    assert excinfo.value.opens_at == call.opens_at
    assert not PreRegistration.objects.exists()


@pytest.mark.django_db
def test_preregistration_save_after_submit_is_refused(logged_in_client, call, organisation, user, draft):
    preregistration_submit(preregistration_id=draft.pk, actor=user)
    before = stored(draft)

    with pytest.raises(DomainError):
        save_draft(call, organisation, user, version=before["version"], network_name="Na indienen")
    response = logged_in_client.post(
        prereg_url(call), form_post(call, organisation, before["version"], network_name="Na indienen")
    )

    assert 400 <= response.status_code < 500 or response.status_code == 302
    assert stored(draft) == before
    assert Submission.objects.get().snapshot.count("Na indienen") == 0


@pytest.mark.django_db
def test_submission_is_immutable(call, user, draft):
    submission = preregistration_submit(preregistration_id=draft.pk, actor=user)
    original = Submission.objects.filter(pk=submission.pk).values().get()

    submission.snapshot = "{}"
    with pytest.raises(ValidationError):
        submission.save()
    with pytest.raises(ValidationError):
        submission.delete()

    assert Submission.objects.filter(pk=submission.pk).values().get() == original


# --- Withdraw and reopen ----------------------------------------------------------------


@pytest.mark.django_db
def test_preregistration_withdraw_before_deadline(call, organisation, user, draft):
    preregistration_submit(preregistration_id=draft.pk, actor=user)
    assert dossier_unlocked(call=call, organisation=organisation) is True

    preregistration_withdraw(preregistration_id=draft.pk, actor=user, note="We dienen later in.")

    assert stored(draft)["state"] == PreRegistrationState.WITHDRAWN
    assert dossier_unlocked(call=call, organisation=organisation) is False
    event = AuditEvent.objects.get(action="preregistration.withdrawn")
    assert (event.from_state, event.to_state, event.note) == ("submitted", "withdrawn", "We dienen later in.")
    # The submission stays: it is an immutable record.
    assert Submission.objects.count() == 1


@pytest.mark.django_db
def test_preregistration_withdraw_after_deadline_is_refused(at_brussels, organisation, user):
    call = noon_call(at_brussels, 2026, 1, 23)
    preregistration = PreRegistrationFactory(call=call, organisation=organisation, complete=True)
    with time_machine.travel(at_brussels(2026, 1, 22, 12), tick=False):
        preregistration_submit(preregistration_id=preregistration.pk, actor=user)

    with time_machine.travel(at_brussels(2026, 1, 23, 12), tick=False), pytest.raises(DeadlinePassed):
        preregistration_withdraw(preregistration_id=preregistration.pk, actor=user)

    assert stored(preregistration)["state"] == PreRegistrationState.SUBMITTED
    assert dossier_unlocked(call=call, organisation=organisation) is True
    assert not AuditEvent.objects.filter(action="preregistration.withdrawn").exists()


@pytest.mark.django_db
def test_preregistration_withdraw_a_draft_is_invalid(call, user, draft):
    with pytest.raises(InvalidTransition):
        preregistration_withdraw(preregistration_id=draft.pk, actor=user)

    assert stored(draft)["state"] == PreRegistrationState.DRAFT


@pytest.mark.django_db
def test_preregistration_reopen_withdrawn_is_draft_and_can_be_resubmitted(call, organisation, user, draft):
    preregistration_submit(preregistration_id=draft.pk, actor=user)
    preregistration_withdraw(preregistration_id=draft.pk, actor=user)
    version_before = stored(draft)["version"]

    preregistration_reopen(preregistration_id=draft.pk, actor=user)

    after = stored(draft)
    assert after["state"] == PreRegistrationState.DRAFT
    assert after["version"] == version_before + 1
    # A form opened before the withdrawal is stale now.
    with pytest.raises(EditConflict):
        save_draft(call, organisation, user, version=version_before)
    resubmitted = preregistration_submit(preregistration_id=draft.pk, actor=user)
    assert resubmitted.version == 2
    assert resubmitted.reference == f"{call.reference_prefix}-VA-0001-2"
    assert dossier_unlocked(call=call, organisation=organisation) is True


@pytest.mark.django_db
def test_preregistration_withdraw_and_reopen_views(logged_in_client, call, organisation, user, draft):
    preregistration_submit(preregistration_id=draft.pk, actor=user)

    withdrawn = logged_in_client.post(prereg_url(call, action="withdraw"), {"organisation": organisation.pk})
    assert withdrawn.status_code == 302
    assert stored(draft)["state"] == PreRegistrationState.WITHDRAWN

    reopened = logged_in_client.post(prereg_url(call, action="reopen"), {"organisation": organisation.pk})
    assert reopened.status_code == 302
    assert stored(draft)["state"] == PreRegistrationState.DRAFT


# --- Dossier unlock ---------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("state", "unlocked"),
    [
        (None, False),
        (PreRegistrationState.DRAFT, False),
        (PreRegistrationState.SUBMITTED, True),
        (PreRegistrationState.WITHDRAWN, False),
    ],
    ids=["no-preregistration", "draft", "submitted", "withdrawn"],
)
def test_dossier_unlocked_by_own_state(call, organisation, state, unlocked):
    if state is not None:
        PreRegistrationFactory(call=call, organisation=organisation, complete=True, state=state)

    assert dossier_unlocked(call=call, organisation=organisation) is unlocked


@pytest.mark.django_db
def test_dossier_unlocked_not_by_another_organisation_or_call(call, organisation):
    PreRegistrationFactory(call=call, organisation=OrganisationFactory(), complete=True, state=PreRegistrationState.SUBMITTED)
    other_call = CallFactory()
    PreRegistrationFactory(call=other_call, organisation=organisation, complete=True, state=PreRegistrationState.SUBMITTED)

    assert dossier_unlocked(call=call, organisation=organisation) is False
    assert dossier_unlocked(call=other_call, organisation=organisation) is True


# --- Access -----------------------------------------------------------------------------


@pytest.fixture
def intruder(client):
    """A member of another organisation B, logged in."""
    intruder = UserFactory()
    OrganisationFactory(owner=intruder, name="Organisatie B vzw")
    client.force_login(intruder)
    return intruder


@pytest.mark.django_db
def test_preregistration_of_another_organisation_is_404_everywhere(client, call, organisation, user, draft, intruder):
    before = stored(draft)
    url = prereg_url(call, organisation)

    assert client.get(url).status_code == 404
    assert client.post(url, form_post(call, organisation, 1, network_name="Gekaapt")).status_code == 404
    for action in ("submit", "withdraw", "reopen"):
        assert client.post(prereg_url(call, organisation, action), {"organisation": organisation.pk}).status_code == 404
        assert client.post(prereg_url(call, action=action), {"organisation": organisation.pk}).status_code == 404

    assert stored(draft) == before
    assert not Submission.objects.exists()
    assert not AuditEvent.objects.filter(organisation=organisation, action__startswith="preregistration.").exists()


@pytest.mark.django_db
def test_preregistration_submitted_of_another_organisation_cannot_be_withdrawn(client, call, organisation, user, draft, intruder):
    preregistration_submit(preregistration_id=draft.pk, actor=user)
    before = stored(draft)

    response = client.post(prereg_url(call, action="withdraw"), {"organisation": organisation.pk})

    assert response.status_code == 404
    assert stored(draft) == before


@pytest.mark.django_db
@pytest.mark.parametrize("raw", ["abc", "-1", "99999999999999999999999", "1.5"])
def test_preregistration_organisation_parameter_garbage_is_404(logged_in_client, call, organisation, raw):
    response = logged_in_client.get(f"{prereg_url(call)}?organisation={raw}")

    assert response.status_code == 404


@pytest.mark.django_db
def test_preregistration_unknown_or_unpublished_call_is_404(logged_in_client, organisation):
    unpublished = CallFactory(is_published=False)

    assert logged_in_client.get("/calls/bestaat-niet/preregistration/").status_code == 404
    assert logged_in_client.get(prereg_url(unpublished, organisation)).status_code == 404
    response = logged_in_client.post(prereg_url(unpublished), form_post(unpublished, organisation, 0))
    assert response.status_code == 404
    assert logged_in_client.post(prereg_url(unpublished, action="submit"), {"organisation": organisation.pk}).status_code == 404
    assert not PreRegistration.objects.exists()


@pytest.mark.django_db
def test_preregistration_anonymous_is_redirected_to_login(client, call, organisation, draft):
    before = stored(draft)
    login = reverse("account_login")

    for url, method in [
        (prereg_url(call, organisation), client.get),
        (prereg_url(call), client.post),
        (prereg_url(call, action="submit"), client.post),
        (prereg_url(call, action="withdraw"), client.post),
        (prereg_url(call, action="reopen"), client.post),
    ]:
        response = method(url, {"organisation": organisation.pk} if method == client.post else None)
        assert response.status_code == 302, url
        assert response["Location"].startswith(login), url

    assert stored(draft) == before


# --- The page ---------------------------------------------------------------------------


def status_box(html):
    """The status block at the top of the page (deadline, time left, state)."""
    start = html.index('id="status"')
    return html[start : html.index("</div>", start)]


@pytest.mark.django_db
def test_preregistration_page_shows_deadline_time_left_and_state(client, at_brussels, organisation, user):
    call = noon_call(at_brussels, 2026, 5, 11)
    PreRegistrationFactory(call=call, organisation=organisation, complete=True)
    now = at_brussels(2026, 5, 8, 8, 15)
    client.force_login(user)

    with time_machine.travel(now, tick=False):
        response = client.get(prereg_url(call, organisation))

    html = response.content.decode()
    assert response.status_code == 200
    expected_deadline = format_brussels_long(call.preregistration_deadline)
    assert "2026" in expected_deadline and "12:00" in expected_deadline
    assert expected_deadline in status_box(html)
    # The machine-readable deadline is the same instant, whatever offset it is written with.
    stamp = re.search(r'<time datetime="([^"]+)"', html).group(1)
    assert datetime.fromisoformat(stamp) == datetime(2026, 5, 11, 10, 0, tzinfo=UTC)
    expected_left = format_duration(call.preregistration_deadline - now)
    assert call.preregistration_deadline - now == timedelta(days=3, hours=3, minutes=45)
    assert expected_left in status_box(html)
    assert status_box(html).count(str(PreRegistrationState.DRAFT.label)) == 1


@pytest.mark.django_db
def test_preregistration_page_shows_submitted_state_and_reference(logged_in_client, call, organisation, user, draft):
    submission = preregistration_submit(preregistration_id=draft.pk, actor=user)

    response = logged_in_client.get(prereg_url(call, organisation))

    html = response.content.decode()
    assert str(PreRegistrationState.SUBMITTED.label) in status_box(html)
    assert submission.reference in status_box(html)
    assert submission.reference in html
    assert submission.snapshot_sha256 in html
    assert response.context["editable"] is False
    assert response.context["dossier_unlocked"] is True


@pytest.mark.django_db
def test_preregistration_page_shows_the_extended_deadline(client, at_brussels, organisation, user):
    call = noon_call(at_brussels, 2026, 1, 23)
    Extension.objects.create(
        call=call,
        organisation=organisation,
        phase=Phase.PREREGISTRATION,
        deadline=at_brussels(2026, 1, 30, 17),
        reason="Storing",
        granted_by=UserFactory(),
    )
    client.force_login(user)

    with time_machine.travel(at_brussels(2026, 1, 24, 9), tick=False):
        response = client.get(prereg_url(call, organisation))

    assert response.context["editable"] is True
    assert format_brussels_long(at_brussels(2026, 1, 30, 17)) in response.content.decode()
    assert format_brussels_long(call.preregistration_deadline) not in response.content.decode()


# --- Concurrency (PostgreSQL) -----------------------------------------------------------


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


@requires_postgresql
@pytest.mark.django_db(transaction=True)
def test_preregistration_save_draft_concurrent_same_version_one_wins(call, organisation, user):
    save_draft(call, organisation, user, version=0)
    colleague = UserFactory()

    results = run_together(
        lambda: save_draft(call, organisation, user, version=1, network_name="Versie van mij"),
        lambda: save_draft(call, organisation, colleague, version=1, network_name="Versie van de collega"),
    )

    saved = [r for r in results if isinstance(r, PreRegistration)]
    conflicts = [r for r in results if isinstance(r, EditConflict)]
    assert len(saved) == 1, results
    assert len(conflicts) == 1, results
    final = stored(saved[0])
    assert final["version"] == 2
    assert final["network_name"] == saved[0].network_name


@requires_postgresql
@pytest.mark.django_db(transaction=True)
def test_preregistration_save_draft_concurrent_first_saves_one_wins(call, organisation, user):
    results = run_together(
        lambda: save_draft(call, organisation, user, version=0, acronym="EEN"),
        lambda: save_draft(call, organisation, user, version=0, acronym="TWEE"),
    )

    assert sorted(type(r).__name__ for r in results) == ["EditConflict", "PreRegistration"], results
    assert PreRegistration.objects.count() == 1
    assert PreRegistration.objects.get().version == 1


@pytest.mark.django_db
def test_save_and_submit_submits_what_is_in_the_form(logged_in_client, call, organisation, user, mailoutbox):
    """The last edits are not lost by pressing submit: they are saved, then submitted."""
    typed = form_post(call, organisation, 0, planned_activities="Laatste wijziging voor de deadline")

    response = logged_in_client.post(prereg_url(call), {**typed, "and_submit": "1"})

    assert response.status_code == 302
    submission = Submission.objects.get()
    assert json.loads(submission.snapshot)["content"]["planned_activities"] == "Laatste wijziging voor de deadline"
    assert PreRegistration.objects.get().state == PreRegistrationState.SUBMITTED


@pytest.mark.django_db
def test_save_and_submit_incomplete_saves_and_says_why_it_was_not_submitted(logged_in_client, call, organisation, user):
    typed = form_post(call, organisation, 0, contact_email="")

    response = logged_in_client.post(prereg_url(call), {**typed, "and_submit": "1"}, follow=True)

    preregistration = PreRegistration.objects.get()
    assert preregistration.state == PreRegistrationState.DRAFT
    assert preregistration.network_name == typed["network_name"]  # saved
    assert not Submission.objects.exists()
    assert any("niet ingediend" in str(m) for m in response.context["messages"])
