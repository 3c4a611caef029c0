"""The pre-registration's services (intake.services.preregistrations): drafts with an
optimistic lock, withdrawal and reopening, the deadline, and concurrent requests
(PostgreSQL only), also against a dossier being submitted."""

import threading
import time

import pytest
import time_machine
from django.db import connection, connections, transaction

from intake.kernel.enums import DossierState, PreRegistrationState
from intake.kernel.errors import DeadlinePassed, DomainError, DossierLocked, EditConflict, InvalidTransition
from intake.models import AuditEvent, Dossier, Membership, PreRegistration, Submission
from intake.selectors.preregistrations import dossier_unlocked
from intake.services.dossiers import dossier_for, dossier_withdraw
from intake.services.preregistrations import preregistration_reopen, preregistration_withdraw
from intake.services.submissions import dossier_submit, preregistration_submit
from tests.concurrency import requires_postgresql, run_together
from tests.factories import PreRegistrationFactory, UserFactory
from tests.intake.dossier_helpers import complete_dossier
from tests.intake.preregistration_helpers import form_post, noon_call, prereg_url, save_draft, stored

# --- Drafts ----------------------------------------------------------------------------------


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


# --- Withdraw and reopen ---------------------------------------------------------------------


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


def test_preregistration_withdraw_is_refused_while_the_dossier_is_submitted(ready_dossier, user):
    dossier_submit(dossier_id=ready_dossier.pk, actor=user)
    preregistration = ready_dossier.preregistration

    with pytest.raises(DomainError) as excinfo:
        preregistration_withdraw(preregistration_id=preregistration.pk, actor=user)

    assert not isinstance(excinfo.value, DeadlinePassed)
    assert PreRegistration.objects.get(pk=preregistration.pk).state == PreRegistrationState.SUBMITTED

    # Once the dossier is withdrawn, the pre-registration may go too, and the dossier locks.
    dossier_withdraw(dossier_id=ready_dossier.pk, actor=user)
    preregistration_withdraw(preregistration_id=preregistration.pk, actor=user)
    assert PreRegistration.objects.get(pk=preregistration.pk).state == PreRegistrationState.WITHDRAWN
    with pytest.raises(DossierLocked):
        dossier_for(call=ready_dossier.call, organisation=ready_dossier.organisation)


# --- Concurrency (PostgreSQL) ----------------------------------------------------------------


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
