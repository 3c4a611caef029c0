"""Signing in through OpenID Connect in a real browser (issue 15): Debian's Chromium,
driven by Playwright, against pytest-django's live server and the real provider of
tests/oidc/conftest.py, nothing mocked. What the test client in test_sign_in.py cannot
show: that the portal's Content-Security-Policy lets the sign-in button's redirect to the
provider through (Chromium holds the redirects of a form POST to ``form-action``), that
the portal's and the provider's cookies live side by side on one host, that the sign-out
passes the provider's end-session endpoint, and what a person sees on each page (axe-core,
every impact; no horizontal scrolling at 390 px).

The CSP is enforced throughout (no ``bypass_csp``). axe-core cannot be added with
``page.add_script_tag``: that is an inline script, which the portal's ``script-src``
blocks. It is an init script instead, which Chromium runs for the test at the start of
every document, outside the page's policy; everything the pages do stays under it.

With SCREENSHOTS_DIR set (``make screenshots``), the login page with the providers'
buttons (1280 and 390 px) and the refused answer (390 px) are kept there."""

import os
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.urls import reverse
from django.utils.csp import CSP

from intake.kernel.enums import VerificationState
from intake.models import Organisation
from tests.e2e.conftest import ALL_IMPACTS, axe_script, axe_violations, horizontal_overflow
from tests.oidc.portal import applicant_claims, portal_settings, staff_claims

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(os.environ["SCREENSHOTS_DIR"]) if os.environ.get("SCREENSHOTS_DIR") else None
NUMBER = "0403019261"
WIDE, NARROW = 1280, 390
APPLICANT_BUTTON = "Aanmelden bij de Vlaamse overheid"
STAFF_BUTTON = "Aanmelden als medewerker van VLAIO"


def _csp_as_settings_builds_it() -> dict:
    """The portal's policy with ``form-action`` computed from IDENTITY_PROVIDERS exactly as
    settings.py does at import time (there from OIDC_*, here the test provider's)."""
    origins = sorted({provider.origin for provider in django_settings.IDENTITY_PROVIDERS})
    return {**django_settings.SECURE_CSP, "form-action": [CSP.SELF, *origins]}


@pytest.fixture
def portal_url(live_server) -> str:
    """The live server (bound to 127.0.0.1) by the provider's host name: one host, two
    ports, so one cookie jar holds both sites' cookies (cookies are per host, not per
    port) and the journeys prove that the provider's own cookie names keep them apart."""
    url = live_server.url.replace("//localhost:", "//127.0.0.1:")
    assert urlsplit(url).hostname == "127.0.0.1", url
    return url


@pytest.fixture
def portal(oidc_provider, portal_url, settings):
    """The portal with the two providers, their clients registered for this live server."""
    settings.ALLOWED_HOSTS = ["*"]
    with portal_settings(oidc_provider, portal_url), override_settings(SECURE_CSP=_csp_as_settings_builds_it()):
        assert oidc_provider.base_url in django_settings.SECURE_CSP["form-action"]
        yield oidc_provider


@pytest.fixture
def page(browser, portal_url):
    """A fresh browser (no cookies at either site) that enforces the portal's CSP."""
    context = browser.new_context(base_url=portal_url, locale="nl-BE", viewport={"width": WIDE, "height": 900})
    context.add_init_script(path=str(axe_script()))
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def _shot(page, name: str) -> None:
    if SCREENSHOTS is not None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{page.viewport_size['width']}.png"), full_page=True)


def _at_width(page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})


def _sign_in_at_provider(page, provider, portal_url: str, button: str, username: str) -> None:
    """Press the portal's button for a provider, sign in on the provider's own login page
    (its form, its CSRF token, its session), and wait until the browser is back."""
    page.get_by_role("button", name=button).click()
    page.wait_for_url(f"{provider.base_url}/accounts/login/?**")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{portal_url}/**")
    page.wait_for_load_state()


def _header(page):
    return page.get_by_role("banner")


def _signed_out(page) -> bool:
    """The header as a visitor sees it (at 1280 px, where the menu is not collapsed)."""
    header = _header(page)
    return (
        header.get_by_role("link", name="Aanmelden", exact=True).is_visible()
        and not header.get_by_role("button", name="Afmelden").count()
    )


def _cookies(page) -> dict[str, str]:
    return {cookie["name"]: cookie["domain"] for cookie in page.context.cookies()}


def _sign_in_as_applicant(page, portal, portal_url) -> None:
    portal.set_person("an", "pw", applicant_claims("an@voorbeeld.be", NUMBER))
    page.goto(reverse("account_login"))
    _sign_in_at_provider(page, portal, portal_url, APPLICANT_BUTTON, "an")


def test_an_applicant_signs_in_at_the_identity_service_and_comes_back_a_verified_member(portal, portal_url, page):
    portal.set_person("an", "pw", applicant_claims("an@voorbeeld.be", NUMBER))
    response = page.goto(reverse("account_login"))
    # The policy the browser enforces lets the button's redirect to the provider through.
    policy = response.headers["content-security-policy"]
    assert f"form-action 'self' {portal.base_url}" in policy, policy
    # The applicants' button first, though allauth sorts by name; the staff's below it.
    buttons = page.get_by_role("main").get_by_role("button").all_inner_texts()
    assert buttons[-2:] == [APPLICANT_BUTTON, STAFF_BUTTON], buttons
    assert axe_violations(page, impacts=ALL_IMPACTS) == []
    _shot(page, "oidc-login")
    _at_width(page, NARROW)
    assert horizontal_overflow(page) == 0
    assert axe_violations(page, impacts=ALL_IMPACTS) == []
    _shot(page, "oidc-login")
    _at_width(page, WIDE)

    _sign_in_at_provider(page, portal, portal_url, APPLICANT_BUTTON, "an")

    assert page.url == f"{portal_url}/"
    joined = page.get_by_role("status").filter(has_text="0403.019.261")
    assert joined.count() == 1
    assert "Volgens je aanmelding vertegenwoordig je" in joined.inner_text()
    assert "je bent lid van die organisatie in het portaal" in joined.inner_text()
    assert _header(page).get_by_text("an@voorbeeld.be").is_visible()
    assert axe_violations(page, impacts=ALL_IMPACTS) == []
    # Both sessions on 127.0.0.1, side by side: the portal's and the provider's own names.
    cookies = _cookies(page)
    assert cookies["sessionid"] == cookies["oidc_provider_sessionid"] == "127.0.0.1", cookies

    page.goto(reverse("intake:organisation_list"))
    listed = page.get_by_role("listitem").filter(has_text="0403.019.261")
    assert listed.count() == 1
    assert listed.get_by_text("Geverifieerd door VLAIO").is_visible()
    assert Organisation.objects.get(enterprise_number=NUMBER).verification_state == VerificationState.VERIFIED


def test_an_answer_with_a_wrong_signature_ends_on_the_dutch_refusal_signed_out(portal, portal_url, page):
    portal.set_person("eve", "pw", applicant_claims("eve@voorbeeld.be", NUMBER), id_token="wrong_signature")
    page.goto(reverse("account_login"))

    _sign_in_at_provider(page, portal, portal_url, APPLICANT_BUTTON, "eve")

    assert page.get_by_role("heading", level=1).inner_text() == "Aanmelden is niet gelukt"
    assert "kon niet vertrouwd worden" in page.get_by_role("alert").inner_text()
    assert _signed_out(page)
    assert axe_violations(page, impacts=ALL_IMPACTS) == []
    assert horizontal_overflow(page) == 0
    _at_width(page, NARROW)
    assert horizontal_overflow(page) == 0
    assert axe_violations(page, impacts=ALL_IMPACTS) == []
    _shot(page, "oidc-refused")
    assert not get_user_model().objects.filter(email="eve@voorbeeld.be").exists()
    assert not Organisation.objects.exists()


def test_staff_whose_sso_asserted_mfa_open_the_reviews_without_the_portals_code(portal, portal_url, page):
    portal.set_person("rita", "pw", staff_claims("rita@vlaio.be", reviewer=True, mfa=True))
    page.goto(reverse("account_login"))

    _sign_in_at_provider(page, portal, portal_url, STAFF_BUTTON, "rita")
    response = page.goto(reverse("reviews:dashboard"))

    assert response.status == 200
    assert page.url == f"{portal_url}{reverse('reviews:dashboard')}"  # not sent to the code page
    assert page.get_by_role("heading", level=1).inner_text() == "Dashboard voor beoordelaars"


def test_signing_out_passes_the_providers_end_session_endpoint_and_ends_signed_out(portal, portal_url, page):
    _sign_in_as_applicant(page, portal, portal_url)
    end_session = portal.discovery()["end_session_endpoint"]
    visited = []
    page.on("request", lambda request: visited.append(request.url) if request.is_navigation_request() else None)

    _header(page).get_by_role("button", name="Afmelden").click()
    # The portal sends the sign-in's ID token as id_token_hint, so the provider ends its
    # session without a confirmation page (RP-Initiated Logout) and sends the person back.
    page.wait_for_url(f"{portal_url}/")

    passed = [url for url in visited if url.startswith(end_session)]
    assert passed, visited
    query = parse_qs(urlsplit(passed[0]).query)
    assert query.keys() == {"client_id", "post_logout_redirect_uri", "id_token_hint"}
    assert (query["client_id"], query["post_logout_redirect_uri"]) == (["portal-acm"], [f"{portal_url}/"])
    assert _signed_out(page)
    assert "oidc_provider_sessionid" not in _cookies(page)
    # Signed out at the provider too: the next sign-in asks for the password again.
    _header(page).get_by_role("link", name="Aanmelden", exact=True).click()
    page.get_by_role("button", name=APPLICANT_BUTTON).click()
    page.wait_for_url(f"{portal.base_url}/accounts/login/?**")


def test_without_the_providers_origin_in_form_action_chromium_stops_the_redirect(portal, portal_url, page):
    """The control of the journeys above: the policy settings.py builds with no provider
    configured ('self' alone) keeps the browser at the portal, so their passing proves
    that the computed form-action is what lets the sign-in through."""
    provider_requests = []
    page.on("request", lambda request: provider_requests.append(request.url) if request.url.startswith(portal.base_url) else None)

    with override_settings(SECURE_CSP={**django_settings.SECURE_CSP, "form-action": [CSP.SELF]}):
        page.goto(reverse("account_login"))
        with page.expect_console_message(lambda message: "form-action" in message.text) as blocked:
            page.get_by_role("button", name=APPLICANT_BUTTON).click()

    # Chromium names the URL the form was sent to, not the redirect's target it refused.
    assert "violates the following Content Security Policy directive" in blocked.value.text, blocked.value.text
    assert provider_requests == []
    assert page.url == f"{portal_url}{reverse('account_login')}"
