"""At 390 px (a phone) the applicant's pages do not widen beyond the screen (WCAG 1.4.10):
the call page's status is a card per organisation, tables scroll inside their own region."""

import pytest

from tests.factories import CallFactory, OrganisationFactory, PreRegistrationFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]


def test_the_call_and_organisation_pages_reflow_at_390_px(page, live_server):
    user = UserFactory(email="een.heel.lang.adres.van.een.aanvrager@voorbeeld-organisatie.example")
    organisation = OrganisationFactory(owner=user, name="Netwerk voor circulaire bouwmaterialen en hergebruik vzw")
    call = CallFactory()
    PreRegistrationFactory(call=call, organisation=organisation, complete=True)
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto("/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", "correct horse battery staple")
    with page.expect_navigation():  # the page the POST answers with, not the one it left
        page.press("input[name=password]", "Enter")

    for path in (call.get_absolute_url(), organisation.get_absolute_url()):
        page.goto(path)
        width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width <= inner, (path, width)
    page.goto(call.get_absolute_url())
    button = page.get_by_role("link", name="Vooraanmelding invullen")
    box = button.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
