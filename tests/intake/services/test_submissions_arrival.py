"""A change is judged by when its request reached the portal, not by when a worker got
to it (DESIGN.md §2); "save and submit" is one change; every refusal for lateness is one
audit event, whichever path refused it."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from intake.kernel.enums import DossierSection, PreRegistrationState
from intake.kernel.errors import AlreadySubmitted, DeadlinePassed, Incomplete, NotServedInTime
from intake.models import AuditEvent, Dossier, PreRegistration, Submission
from intake.services.budget import budget_save
from intake.services.dossiers import dossier_for, dossier_save_section
from intake.services.mandates import mandate_add
from intake.services.preregistrations import preregistration_save_draft, preregistration_withdraw
from intake.services.submissions import dossier_submit, preregistration_save_and_submit, preregistration_submit
from tests.factories import CallFactory, OrganisationFactory, PreRegistrationFactory, UserFactory, complete_preregistration_data
from tests.intake.dossier_helpers import NETWORK, budget_years, complete_dossier, submitted_preregistration, version_of

pytestmark = pytest.mark.django_db

MICROSECOND = timedelta(microseconds=1)


@pytest.fixture
def user():
    return UserFactory()


@pytest.fixture
def organisation(user):
    return OrganisationFactory(owner=user)


@pytest.fixture
def call(at_brussels):
    deadline = at_brussels(2026, 1, 23, 12)
    return CallFactory(
        opens_at=deadline - timedelta(days=60), preregistration_deadline=deadline, dossier_deadline=deadline + timedelta(days=108)
    )


def late_attempts(call) -> int:
    return AuditEvent.objects.filter(call=call, action__endswith=".late_attempt").count()


def test_a_submission_that_arrived_before_noon_is_on_time_although_recorded_after_it(call, organisation, user):
    draft = PreRegistrationFactory(call=call, organisation=organisation, complete=True)
    arrived = call.preregistration_deadline - MICROSECOND

    with time_machine.travel(call.preregistration_deadline + timedelta(seconds=2), tick=False):
        submission = preregistration_submit(preregistration_id=draft.pk, actor=user, arrived_at=arrived)

    assert submission.submitted_at == arrived  # the registered moment
    assert submission.recorded_at == call.preregistration_deadline + timedelta(seconds=2)
    assert late_attempts(call) == 0


def test_a_submission_that_arrived_at_noon_is_late_whenever_it_is_processed(call, organisation, user):
    draft = PreRegistrationFactory(call=call, organisation=organisation, complete=True)

    with time_machine.travel(call.preregistration_deadline - timedelta(seconds=5), tick=False), pytest.raises(DeadlinePassed):
        # A clock behind the proxy's does not make an arrival at 12:00:00.000 on time.
        preregistration_submit(preregistration_id=draft.pk, actor=user, arrived_at=call.preregistration_deadline)

    assert not Submission.objects.exists()
    assert PreRegistration.objects.get().state == PreRegistrationState.DRAFT
    assert late_attempts(call) == 1


def test_a_request_processed_too_long_after_it_arrived_is_refused_not_judged(call, organisation, user, settings):
    settings.ARRIVAL_MAX_WAIT_SECONDS = 60
    draft = PreRegistrationFactory(call=call, organisation=organisation, complete=True)
    arrived = call.preregistration_deadline - timedelta(minutes=5)

    with time_machine.travel(arrived + timedelta(seconds=61), tick=False), pytest.raises(NotServedInTime):
        preregistration_submit(preregistration_id=draft.pk, actor=user, arrived_at=arrived)

    assert not Submission.objects.exists()


def test_the_proxy_arrival_header_decides_through_the_view(client, call, organisation, user, settings):
    settings.ARRIVAL_FROM_PROXY = True
    PreRegistrationFactory(call=call, organisation=organisation, complete=True)
    client.force_login(user)
    url = reverse("intake:preregistration_submit", kwargs={"slug": call.slug}) + f"?organisation={organisation.pk}"
    arrived = (call.preregistration_deadline - timedelta(milliseconds=50)).timestamp()

    with time_machine.travel(call.preregistration_deadline + timedelta(seconds=1), tick=False):
        response = client.post(url, {"organisation": organisation.pk}, HTTP_X_REQUEST_START=f"t={arrived:.3f}")

    assert response.status_code == 302
    submission = Submission.objects.get()
    assert submission.submitted_at.timestamp() == pytest.approx(arrived, abs=1e-3)


def test_an_untrusted_arrival_header_is_ignored(client, call, organisation, user, settings):
    settings.ARRIVAL_FROM_PROXY = False
    PreRegistrationFactory(call=call, organisation=organisation, complete=True)
    client.force_login(user)
    url = reverse("intake:preregistration_submit", kwargs={"slug": call.slug}) + f"?organisation={organisation.pk}"
    forged = (call.preregistration_deadline - timedelta(hours=1)).timestamp()

    with time_machine.travel(call.preregistration_deadline + timedelta(seconds=1), tick=False):
        client.post(url, {"organisation": organisation.pk}, HTTP_X_REQUEST_START=f"t={forged:.3f}")

    assert not Submission.objects.exists()
    assert late_attempts(call) == 1


# --- Save and submit: one change --------------------------------------------------------------


def _change(call, organisation, user, **overrides):
    data = complete_preregistration_data(call) | overrides
    return {"call": call, "organisation": organisation, "data": data, "expected_version": 0, "actor": user}


def test_save_and_submit_saves_and_submits_what_the_form_shows(call, organisation, user):
    with time_machine.travel(call.preregistration_deadline - timedelta(hours=1), tick=False):
        submission = preregistration_save_and_submit(**_change(call, organisation, user, acronym="LAATST"))

    assert PreRegistration.objects.get().state == PreRegistrationState.SUBMITTED
    assert '"acronym":"LAATST"' in submission.snapshot


def test_save_and_submit_incomplete_changes_nothing(call, organisation, user):
    with time_machine.travel(call.preregistration_deadline - timedelta(hours=1), tick=False), pytest.raises(Incomplete):
        preregistration_save_and_submit(**_change(call, organisation, user, contact_email=""))

    assert not PreRegistration.objects.exists()
    assert not Submission.objects.exists()


def test_save_and_submit_late_changes_the_draft_not_at_all_and_is_on_record(call, organisation, user):
    with time_machine.travel(call.preregistration_deadline - timedelta(hours=1), tick=False):
        draft = preregistration_save_draft(**_change(call, organisation, user, acronym="VOOR"))
    change = _change(call, organisation, user, acronym="NA") | {"expected_version": draft.version}

    with time_machine.travel(call.preregistration_deadline, tick=False), pytest.raises(DeadlinePassed):
        preregistration_save_and_submit(**change)

    assert PreRegistration.objects.get().acronym == "VOOR"
    assert late_attempts(call) == 1


def test_save_and_submit_view_incomplete_keeps_the_input_and_says_nothing_was_saved(client, call, organisation, user):
    client.force_login(user)
    url = reverse("intake:preregistration", kwargs={"slug": call.slug}) + f"?organisation={organisation.pk}"
    data = complete_preregistration_data(call) | {"contact_email": "", "policy_priority": ""}
    post = {"organisation": organisation.pk, "version": 0, "and_submit": "1", **{k: v or "" for k, v in data.items()}}

    with time_machine.travel(call.preregistration_deadline - timedelta(hours=1), tick=False):
        response = client.post(url, post)

    assert response.status_code == 400
    assert not PreRegistration.objects.exists()
    assert response.context["form"]["network_name"].value() == data["network_name"]
    assert "Er werd niets bewaard of ingediend" in response.content.decode()  # the error summary's title


# --- Every late attempt on record, once -----------------------------------------------------------


def _late_paths(call, organisation, user):
    """(name, phase deadline, the refused change) for every path that can refuse for lateness."""
    draft = preregistration_save_draft(**_change(call, organisation, user))
    submitted_other = OrganisationFactory(owner=user)
    prereg_submitted = submitted_preregistration(call, submitted_other, user)
    dossier = dossier_for(call=call, organisation=submitted_other)
    pre, dos = call.preregistration_deadline, call.dossier_deadline
    return [
        (
            "save draft",
            pre,
            lambda: preregistration_save_draft(**_change(call, organisation, user) | {"expected_version": draft.version}),
        ),
        ("submit", pre, lambda: preregistration_submit(preregistration_id=draft.pk, actor=user)),
        (
            "save and submit",
            pre,
            lambda: preregistration_save_and_submit(**_change(call, organisation, user) | {"expected_version": draft.version}),
        ),
        ("withdraw", pre, lambda: preregistration_withdraw(preregistration_id=prereg_submitted.pk, actor=user)),
        (
            "dossier section",
            dos,
            lambda: dossier_save_section(
                dossier_id=dossier.pk,
                section=DossierSection.NETWORK,
                data=NETWORK,
                expected_version=version_of(dossier.pk, DossierSection.NETWORK),
                actor=user,
            ),
        ),
        (
            "budget",
            dos,
            lambda: budget_save(
                dossier_id=dossier.pk,
                years=budget_years(1),
                expected_version=version_of(dossier.pk, DossierSection.BUDGET),
                actor=user,
            ),
        ),
        (
            "mandate",
            dos,
            lambda: mandate_add(
                dossier_id=dossier.pk,
                data={"enterprise_number": "0403.019.261", "name": "Lid", "postal_code": "9000", "is_sme": True},
                actor=user,
            ),
        ),
        ("dossier submit", dos, lambda: dossier_submit(dossier_id=dossier.pk, actor=user)),
    ]


def test_every_path_that_refuses_for_lateness_records_the_attempt_once(call, organisation, user):
    with time_machine.travel(call.preregistration_deadline - timedelta(hours=1), tick=False):
        paths = _late_paths(call, organisation, user)

    for name, deadline, attempt in paths:
        before = late_attempts(call)
        with time_machine.travel(deadline, tick=False), pytest.raises(DeadlinePassed):
            attempt()
        assert late_attempts(call) == before + 1, name
    assert late_attempts(call) == len(paths)
    phases = list(AuditEvent.objects.filter(action__endswith=".late_attempt").values_list("action", flat=True))
    assert phases.count("preregistration.late_attempt") == 4
    assert phases.count("dossier.late_attempt") == 4


def test_a_complete_dossier_submitted_late_through_the_view_is_one_late_attempt(client, call, organisation, user):
    with time_machine.travel(call.preregistration_deadline - timedelta(hours=1), tick=False):
        complete_dossier(call, organisation, user)
    client.force_login(user)
    url = reverse("intake:dossier_submit", kwargs={"slug": call.slug}) + f"?organisation={organisation.pk}"

    with time_machine.travel(call.dossier_deadline, tick=False):
        client.post(url, {"organisation": organisation.pk})

    assert late_attempts(call) == 1
    assert not Submission.objects.filter(kind="dossier").exists()


def test_a_late_attempt_is_in_the_audit_trail_of_the_row_it_refused(call, organisation, user):
    draft = PreRegistrationFactory(call=call, organisation=organisation, complete=True)

    with time_machine.travel(call.preregistration_deadline, tick=False), pytest.raises(DeadlinePassed):
        preregistration_submit(preregistration_id=draft.pk, actor=user)

    [late] = AuditEvent.objects.filter(action="preregistration.late_attempt")
    assert (late.object_type, late.object_id) == ("preregistration", str(draft.pk))
    assert late.data["attempted"] == "preregistration_submit"


def test_late_and_waited_too_long_is_a_late_attempt_not_a_busy_portal(call, organisation, user, settings):
    """Lateness is judged first: a request that arrived after the deadline is refused as
    late (and recorded) however long it waited."""
    settings.ARRIVAL_MAX_WAIT_SECONDS = 60
    draft = PreRegistrationFactory(call=call, organisation=organisation, complete=True)

    with time_machine.travel(call.preregistration_deadline + timedelta(minutes=5), tick=False), pytest.raises(DeadlinePassed):
        preregistration_submit(preregistration_id=draft.pk, actor=user, arrived_at=call.preregistration_deadline)

    assert late_attempts(call) == 1


def test_save_and_submit_clicked_twice_says_it_was_already_submitted(call, organisation, user):
    with time_machine.travel(call.preregistration_deadline - timedelta(hours=1), tick=False):
        first = preregistration_save_and_submit(**_change(call, organisation, user))
        with pytest.raises(AlreadySubmitted) as again:
            preregistration_save_and_submit(**_change(call, organisation, user) | {"expected_version": 1})

    assert again.value.submission == first
    assert Submission.objects.count() == 1


def test_a_first_dossier_post_after_the_deadline_creates_no_dossier(client, call, organisation, user):
    with time_machine.travel(call.preregistration_deadline - timedelta(hours=1), tick=False):
        submitted_preregistration(call, organisation, user)
    client.force_login(user)
    url = reverse("intake:dossier_section", kwargs={"slug": call.slug, "section": "network"})

    with time_machine.travel(call.dossier_deadline, tick=False):
        response = client.post(
            f"{url}?organisation={organisation.pk}", {"organisation": organisation.pk, "version": 0, **NETWORK}
        )

    assert response.status_code == 302
    assert not Dossier.objects.exists()
    assert AuditEvent.objects.filter(action="dossier.late_attempt").count() == 1
