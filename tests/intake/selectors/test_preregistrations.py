"""The dossier unlock (intake.selectors.preregistrations): only the organisation's own
pre-registration for that call, and only while it is submitted."""

import pytest

from intake.kernel.enums import PreRegistrationState
from intake.selectors.preregistrations import dossier_unlocked
from tests.factories import CallFactory, OrganisationFactory, PreRegistrationFactory


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
