"""A call shaped like the third one (dossier deadline 11 May 2026, 12:00 Brussels) and its
complete dossier, for the services that must refuse at that instant."""

from datetime import datetime

import pytest
import time_machine

from tests.factories import CallFactory
from tests.intake.dossier_helpers import BRUSSELS, DOSSIER_DEADLINE, WHILE_PREREGISTRATION_OPEN, complete_dossier


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
