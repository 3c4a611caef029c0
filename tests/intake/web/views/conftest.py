"""The dossier pages' ``dossier``: the organisation fixture's dossier, unlocked by its
pre-registration submitted through the service."""

import pytest

from intake.services.dossiers import dossier_for
from tests.intake.dossier_helpers import submitted_preregistration


@pytest.fixture
def dossier(call, organisation, user):
    submitted_preregistration(call, organisation, user)
    return dossier_for(call=call, organisation=organisation)
