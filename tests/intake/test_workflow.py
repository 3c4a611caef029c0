"""The transition tables of intake.workflow, walked pair by pair: every allowed pair
succeeds and is audited, every forbidden pair is refused and leaves no trace. First the
pre-registration's, then the full dossier's."""

import itertools

import pytest
from django.db import transaction

from intake.kernel.enums import DossierState, PreRegistrationState
from intake.kernel.errors import InvalidTransition
from intake.models import AuditEvent, Dossier, PreRegistration
from intake.services.dossiers import dossier_for
from intake.workflow import DOSSIER_TRANSITIONS, PREREGISTRATION_TRANSITIONS, can_transition, transition
from tests.factories import PreRegistrationFactory, UserFactory
from tests.intake.dossier_helpers import dossier_events, fresh, submitted_preregistration

ALL_PAIRS = list(itertools.product(PreRegistrationState.values, repeat=2))


def test_transition_table_is_the_designed_one():
    # DESIGN.md §4: draft → submitted → withdrawn, and withdrawn → draft to reconsider.
    assert set(PREREGISTRATION_TRANSITIONS) == {
        (PreRegistrationState.DRAFT, PreRegistrationState.SUBMITTED),
        (PreRegistrationState.SUBMITTED, PreRegistrationState.WITHDRAWN),
        (PreRegistrationState.WITHDRAWN, PreRegistrationState.DRAFT),
    }
    assert len(ALL_PAIRS) == 9


@pytest.mark.django_db
@pytest.mark.parametrize(("from_state", "to_state"), ALL_PAIRS, ids=[f"{a}->{b}" for a, b in ALL_PAIRS])
def test_preregistration_transition_pair(from_state, to_state):
    actor = UserFactory()
    preregistration = PreRegistrationFactory(complete=True, state=from_state)
    allowed = (from_state, to_state) in PREREGISTRATION_TRANSITIONS
    assert can_transition(PreRegistration, from_state, to_state) is allowed

    if allowed:
        with transaction.atomic():
            locked = PreRegistration.objects.select_for_update().get(pk=preregistration.pk)
            result = transition(locked, to_state, actor=actor, note="test")

        preregistration.refresh_from_db()
        assert result.state == to_state
        assert preregistration.state == to_state
        event = AuditEvent.objects.get(object_type="preregistration", object_id=str(preregistration.pk))
        assert event.from_state == from_state
        assert event.to_state == to_state
        assert event.actor == actor
        assert event.note == "test"
        assert event.call == preregistration.call
        assert event.organisation == preregistration.organisation
        assert event.action.startswith("preregistration.")
    else:
        with pytest.raises(InvalidTransition) as excinfo, transaction.atomic():
            locked = PreRegistration.objects.select_for_update().get(pk=preregistration.pk)
            transition(locked, to_state, actor=actor)

        assert excinfo.value.from_state == from_state
        assert excinfo.value.to_state == to_state
        assert excinfo.value.code == "invalid_transition"
        preregistration.refresh_from_db()
        assert preregistration.state == from_state
        assert not AuditEvent.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("from_state", "to_state", "action"),
    [
        (PreRegistrationState.DRAFT, PreRegistrationState.SUBMITTED, "preregistration.submitted"),
        (PreRegistrationState.SUBMITTED, PreRegistrationState.WITHDRAWN, "preregistration.withdrawn"),
        (PreRegistrationState.WITHDRAWN, PreRegistrationState.DRAFT, "preregistration.reopened"),
    ],
)
def test_preregistration_transition_audit_action_names(from_state, to_state, action):
    preregistration = PreRegistrationFactory(complete=True, state=from_state)

    with transaction.atomic():
        transition(PreRegistration.objects.select_for_update().get(pk=preregistration.pk), to_state, actor=UserFactory())

    assert list(AuditEvent.objects.values_list("action", flat=True)) == [action]


@pytest.mark.django_db(transaction=True)
def test_preregistration_transition_outside_a_transaction_is_refused():
    # The caller must hold the row lock; without a transaction there is no lock to hold.
    preregistration = PreRegistrationFactory(complete=True)

    with pytest.raises(RuntimeError):
        transition(preregistration, PreRegistrationState.SUBMITTED, actor=UserFactory())

    preregistration.refresh_from_db()
    assert preregistration.state == PreRegistrationState.DRAFT
    assert not AuditEvent.objects.exists()


# --- The full dossier ------------------------------------------------------------------------


DOSSIER_PAIRS = list(itertools.product(DossierState.values, repeat=2))


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
    assert len(DOSSIER_PAIRS) == 49


@pytest.mark.parametrize(("from_state", "to_state"), DOSSIER_PAIRS, ids=[f"{a}->{b}" for a, b in DOSSIER_PAIRS])
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
