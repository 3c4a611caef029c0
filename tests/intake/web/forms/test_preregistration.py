"""The pre-registration form writes its character limit the Belgian way ("6.000 tekens")."""

import pytest
from django.utils import translation

from intake.web.forms.preregistration import PreRegistrationForm
from tests.factories import CallFactory


@pytest.mark.django_db
def test_the_proposal_limit_is_written_with_a_thousands_dot():
    call = CallFactory(proposal_max_chars=6000)
    with translation.override("nl"):
        form = PreRegistrationForm(call=call, data={"version": 0, "proposal": "x" * 6001})
        assert form["proposal"].help_text == "Maximaal 6.000 tekens."
        assert not form.is_valid()
        assert form.errors["proposal"] == ["Het projectvoorstel telt 6.001 tekens; deze oproep laat er maximaal 6.000 toe."]
