"""The pre-registration's transition table, walked pair by pair: every allowed pair
succeeds and is audited, every forbidden pair is refused and leaves no trace."""

import itertools

import pytest
from django.db import transaction

from intake.kernel.enums import PreRegistrationState
from intake.kernel.errors import InvalidTransition
from intake.models import AuditEvent, PreRegistration
from intake.workflow import PREREGISTRATION_TRANSITIONS, can_transition, transition
from tests.factories import PreRegistrationFactory, UserFactory

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
        transition(
            PreRegistration.objects.select_for_update().get(pk=preregistration.pk), to_state, actor=UserFactory()
        )

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
