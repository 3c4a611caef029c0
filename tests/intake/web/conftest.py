"""Organisation A's submitted dossier and a member of organisation B, for the tests of who
may see which dossier page."""

import pytest

from intake.services.dossiers import dossier_for
from intake.services.submissions import dossier_submit
from tests.factories import OrganisationFactory, UserFactory
from tests.intake.dossier_helpers import complete_dossier, submitted_preregistration
from tests.intake.web.dossier_pages import fresh


@pytest.fixture
def submitted_dossier(call, organisation, user):
    """Organisation A's complete dossier, submitted once."""
    dossier = complete_dossier(call, organisation, user)
    dossier_submit(dossier_id=dossier.pk, actor=user)
    return fresh(dossier)


@pytest.fixture
def outsider(call):
    """A member of organisation B, which has its own submitted pre-registration and dossier."""
    outsider = UserFactory()
    own = OrganisationFactory(owner=outsider)
    submitted_preregistration(call, own, outsider)
    dossier_for(call=call, organisation=own)
    return outsider
