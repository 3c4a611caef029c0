"""The admin's Call form in a real browser, as a call manager sees it: no axe-core
violation of any impact, the criteria rows on the screen at 1280 px, the portal's colours,
name and "Bewaren", and the time-zone note in Dutch for a computer set to another zone."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP

from tests.auth import TOTP_SECRET, current_totp_code
from tests.e2e.conftest import axe_violations
from tests.reviews.review_helpers import make_call, make_manager

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]

ALL_IMPACTS = ("minor", "moderate", "serious", "critical")


@pytest.fixture
def manager_page(browser, live_server, settings):
    settings.ALLOWED_HOSTS = ["*"]
    manager = make_manager(is_staff=True)
    TOTP.activate(manager, TOTP_SECRET)
    # New York: the admin's script sees another zone than Brussels and adds its note.
    context = browser.new_context(
        base_url=live_server.url,
        locale="nl-BE",
        timezone_id="America/New_York",
        bypass_csp=True,
        viewport={"width": 1280, "height": 900},
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto("/accounts/login/")
    page.fill("input[name=login]", manager.email)
    page.fill("input[name=password]", "correct horse battery staple")
    page.press("input[name=password]", "Enter")
    page.wait_for_url("**/2fa/authenticate/")
    page.fill("input[name=code]", current_totp_code())
    page.press("input[name=code]", "Enter")
    page.wait_for_url(lambda url: "/accounts/" not in url)  # signed in: not a page to wait on
    yield page
    context.close()


def test_call_add_and_change_forms_pass_axe_with_the_criteria_on_screen(manager_page):
    page = manager_page
    call = make_call(closed=False)
    for name, position in (("Draagvlak", 3), ("Organisatie", 4), ("Waardenetwerk", 5)):
        call.criteria.create(name=name, position=position, description="Een beschrijving van enkele woorden. " * 4)

    for path in ("/admin/intake/call/add/", f"/admin/intake/call/{call.pk}/change/"):
        page.goto(path)
        assert page.url.endswith(path)
        assert axe_violations(page, impacts=ALL_IMPACTS) == [], path
    # The change form's criteria: every control of a row has a name, and the row fits.
    assert page.get_by_label("Gewicht, rij 2").count() == 1
    assert page.get_by_label("Verwijderen, rij 5").count() == 1
    scroll, client = page.evaluate(
        "(() => { const t = document.querySelector('.inline-group .tabular'); return [t.scrollWidth, t.clientWidth]; })()"
    )
    assert scroll <= client
    textarea = page.get_by_label("Beschrijving, rij 1").bounding_box()
    assert textarea["x"] + textarea["width"] <= 1280


def test_the_admin_looks_like_the_portal_and_speaks_its_dutch(manager_page):
    page = manager_page
    call = make_call(closed=False)
    page.goto(f"/admin/intake/call/{call.pk}/change/")

    assert page.evaluate("getComputedStyle(document.getElementById('header')).backgroundColor") == "rgb(255, 230, 21)"
    assert page.locator("#site-name").inner_text().strip() == "clusterportal — beheer"
    buttons = page.locator(".submit-row input[type=submit]").evaluate_all("els => els.map(e => e.value)")
    assert buttons == ["Bewaren", "Bewaren en nog een toevoegen", "Bewaren en verder bewerken"]
    note = page.locator(".timezonewarning").first
    assert note.inner_text().startswith("Let op: vul tijden in in de tijdzone Europe/Brussels")
