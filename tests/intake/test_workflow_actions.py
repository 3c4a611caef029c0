"""What a page may offer comes from the transition table and the deadlines module: each
state, before and after the deadline, for the applicant's and the agency's actions."""

from datetime import timedelta

import pytest

from intake import workflow
from intake.kernel.enums import DossierState, PreRegistrationState
from intake.models import Dossier, PreRegistration
from tests.factories import CallFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

PR, DS = PreRegistrationState, DossierState
E, S, W, R = workflow.EDIT, workflow.SUBMIT, workflow.WITHDRAW, workflow.REOPEN


@pytest.fixture
def call():
    return CallFactory()


@pytest.fixture
def organisation():
    return OrganisationFactory()


@pytest.mark.parametrize(
    ("state", "expected"),
    [(None, {E, S}), (PR.DRAFT, {E, S}), (PR.SUBMITTED, {W}), (PR.WITHDRAWN, {R})],
    ids=["not-started", "draft", "submitted", "withdrawn"],
)
def test_preregistration_actions_before_the_deadline(call, organisation, state, expected):
    row = None if state is None else PreRegistration(call=call, organisation=organisation, state=state)
    assert workflow.preregistration_actions(row, call=call, organisation=organisation) == expected


@pytest.mark.parametrize("state", [None, PR.DRAFT, PR.SUBMITTED, PR.WITHDRAWN])
def test_preregistration_offers_nothing_at_the_deadline_instant(call, organisation, state):
    row = None if state is None else PreRegistration(call=call, organisation=organisation, state=state)
    at_deadline = call.preregistration_deadline
    assert workflow.preregistration_actions(row, call=call, organisation=organisation, now=at_deadline) == frozenset()
    just_before = at_deadline - timedelta(microseconds=1)
    assert workflow.preregistration_actions(row, call=call, organisation=organisation, now=just_before)


def _dossier(call, organisation, state, preregistration_state=PR.SUBMITTED) -> Dossier:
    preregistration = PreRegistration(call=call, organisation=organisation, state=preregistration_state)
    return Dossier(call=call, organisation=organisation, preregistration=preregistration, state=state)


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        (DS.DRAFT, {E, S}),  # nothing submitted yet: nothing to withdraw
        (DS.SUBMITTED, {E, S, W}),  # a changed dossier is submitted again as a new version
        (DS.WITHDRAWN, {R}),
        (DS.ADMISSIBLE, set()),
        (DS.INADMISSIBLE, set()),
        (DS.APPROVED, set()),
        (DS.REJECTED, set()),
    ],
)
def test_dossier_actions_follow_the_transition_table(call, organisation, state, expected):
    assert workflow.allowed_actions(_dossier(call, organisation, state)) == expected


def test_dossier_offers_nothing_once_its_preregistration_is_withdrawn(call, organisation):
    dossier = _dossier(call, organisation, DS.DRAFT, preregistration_state=PR.WITHDRAWN)
    assert workflow.allowed_actions(dossier) == frozenset()


def test_dossier_offers_nothing_after_the_deadline(call, organisation):
    after = call.dossier_deadline
    assert workflow.dossier_actions(_dossier(call, organisation, DS.DRAFT), now=after) == frozenset()


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        (DS.SUBMITTED, {workflow.ASSESS, workflow.SCORE}),
        (DS.ADMISSIBLE, {workflow.SCORE, workflow.DECIDE}),
        (DS.INADMISSIBLE, {workflow.DECIDE}),
        (DS.APPROVED, set()),
        (DS.REJECTED, set()),
        (DS.DRAFT, set()),
        (DS.WITHDRAWN, set()),
    ],
)
def test_review_actions_once_the_submitted_version_is_final(call, organisation, state, expected, settings):
    settings.ARRIVAL_MAX_WAIT_SECONDS = 60
    dossier = _dossier(call, organisation, state)
    assert workflow.review_actions(dossier, now=call.dossier_deadline + timedelta(seconds=60)) == expected


def test_review_actions_wait_until_every_on_time_request_is_recorded(call, organisation, settings):
    """A request that reached the portal before the deadline may be recorded up to the
    service bound later: until then the agency assesses nothing."""
    settings.ARRIVAL_MAX_WAIT_SECONDS = 60
    dossier = _dossier(call, organisation, DS.SUBMITTED)
    for moment in (call.dossier_deadline - timedelta(microseconds=1), call.dossier_deadline + timedelta(seconds=59)):
        assert workflow.review_actions(dossier, now=moment) == frozenset()
