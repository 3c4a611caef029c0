"""allauth's pages in a real browser: the portal's layout, no axe-core violation of any
impact and no horizontal scrolling, at 1280 px and at 390 px (a phone)."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP

from tests.auth import TOTP_SECRET
from tests.e2e.conftest import axe_violations
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]

ALL_IMPACTS = ("minor", "moderate", "serious", "critical")
PASSWORD = "correct horse battery staple"


def _check(page, label):
    assert page.locator("header.portal-header").count() == 1, label
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner, (label, width)
    assert axe_violations(page, impacts=ALL_IMPACTS) == [], label


def _sign_in(page, user, *, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


@pytest.mark.parametrize("width", [1280, 390])
def test_entrance_pages_pass_axe(page, width):
    page.set_viewport_size({"width": width, "height": 900})
    for path in ("/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"):
        page.goto(path)
        _check(page, path)
    # With the server's errors next to the fields.
    page.goto("/accounts/signup/")
    page.fill("input[name=email]", "nieuw@example.org")
    page.fill("input[name=password1]", "kort")
    page.fill("input[name=password2]", "anders")
    page.get_by_role("button", name="Registreren").click()
    # The error summary (focused) and the message next to the field both say it.
    page.locator("#error-summary:focus").get_by_text("Dit wachtwoord is te kort").wait_for()
    assert page.locator("#id_password1_error, .invalid-feedback").get_by_text("Dit wachtwoord is te kort").count() >= 1
    _check(page, "signup with errors")


@pytest.mark.parametrize("width", [1280, 390])
def test_two_step_verification_pages_pass_axe(page, width):
    user = UserFactory()
    _sign_in(page, user, width=width)

    page.goto("/accounts/2fa/")
    _check(page, "2fa index")
    page.goto("/accounts/2fa/totp/activate/")
    assert "/accounts/reauthenticate/" in page.url  # allauth asks for the password again
    _check(page, "reauthenticate")
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url("**/accounts/2fa/totp/activate/")
    assert page.get_by_role("img", name="QR-code om met je app te scannen").count() == 1
    _check(page, "activate")
    page.goto("/accounts/email/")
    _check(page, "e-mail")
    page.goto("/accounts/password/change/")
    _check(page, "password")


@pytest.mark.parametrize("width", [1280, 390])
def test_the_code_step_of_signing_in_passes_axe(page, width):
    user = UserFactory()
    TOTP.activate(user, TOTP_SECRET)
    _sign_in(page, user, width=width)
    assert page.url.endswith("/accounts/2fa/authenticate/")
    assert page.get_by_role("heading", name="Tweestapsverificatie").count() == 1
    _check(page, "code step")
