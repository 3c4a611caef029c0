"""The pages that show an invitation's validity (issue 13): the organisation page with an
open invitation, and the accept page while valid and once expired. No axe violation of
any impact, no horizontal scrolling at 390 px."""

import os
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from intake.models import Invitation
from intake.services.invitations import invitation_create
from tests.e2e.conftest import ALL_IMPACTS, axe_violations, sign_in
from tests.factories import OrganisationFactory, UserFactory


def _check(page, path, width, shots=None):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(path)
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner, (path, width, scroll)
    assert axe_violations(page, impacts=ALL_IMPACTS) == [], (path, width)
    if shots:
        page.screenshot(path=f"{shots}-{width}.png", full_page=True)


@pytest.mark.parametrize("width", [1280, 390])
def test_invitation_pages_show_the_validity_accessibly(page, live_server, width):
    shots = os.environ.get("SCREENSHOTS_DIR")  # set it to look at the pages yourself
    owner = UserFactory()
    organisation = OrganisationFactory(owner=owner, name="Netwerk voor circulaire bouwmaterialen en hergebruik vzw")
    invitation = invitation_create(
        organisation=organisation, email="een.heel.lang.adres@voorbeeld-organisatie.example", role="editor", invited_by=owner
    )
    colleague = UserFactory(email=invitation.email)
    accept = reverse("intake:invitation_accept", kwargs={"token": invitation.token})

    sign_in(page, owner)
    _check(page, organisation.get_absolute_url(), width, shots and f"{shots}/organisation")
    assert "geldig tot" in page.content()
    page.context.clear_cookies()
    sign_in(page, colleague)
    _check(page, accept, width, shots and f"{shots}/accept")
    assert "geldig tot" in page.content()
    # Expired a minute ago (moving the clock 14 days on would end the session too).
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    _check(page, accept, width, shots and f"{shots}/accept-expired")
    assert "verlopen op" in page.content()
