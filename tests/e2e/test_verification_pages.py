"""The pages of issue 14, item 4 in a real browser: the applicant's organisation page with
its verification status, evidence and a request to join; the page where a second claimant
asks to join or contests; the call manager's verification page. No axe violation of any
impact, no horizontal scrolling at 390 px."""

import os

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.urls import reverse

from intake.kernel.enums import ClaimKind
from intake.services import verification
from tests.auth import TOTP_SECRET, current_totp_code
from tests.e2e.conftest import axe_violations
from tests.factories import OrganisationFactory, UserFactory
from tests.intake.file_helpers import pdf_bytes, upload, use_storage
from tests.reviews.review_helpers import make_manager

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]

PASSWORD = "correct horse battery staple"
ALL_IMPACTS = ("minor", "moderate", "serious", "critical")


def _sign_in(page, user, *, second_factor=False):
    page.goto("/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    if second_factor:
        page.wait_for_url("**/2fa/authenticate/")
        page.fill("input[name=code]", current_totp_code())
        page.press("input[name=code]", "Enter")
    page.wait_for_url(lambda url: "/accounts/" not in url)


def _check(page, path, width, shots=None):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(path)
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    wide = page.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth)"
        ".map(e => e.tagName + '.' + e.className + ':' + Math.round(e.getBoundingClientRect().right)).slice(0, 12)"
    )
    assert scroll <= inner, (path, width, scroll, wide)
    assert axe_violations(page, impacts=ALL_IMPACTS) == [], (path, width)
    if shots:
        page.screenshot(path=f"{shots}-{width}.png", full_page=True)


@pytest.mark.parametrize("width", [1280, 390])
def test_verification_pages_pass_axe_without_overflow(page, live_server, settings, tmp_path, width):
    use_storage(settings, tmp_path)
    shots = os.environ.get("SCREENSHOTS_DIR")  # set it to look at the pages yourself
    owner = UserFactory(email="coordinator@netwerk-circulaire-bouwmaterialen.example")
    organisation = OrganisationFactory(owner=owner, name="Netwerk voor circulaire bouwmaterialen en hergebruik vzw")
    verification.evidence_upload(
        organisation=organisation, uploaded_file=upload("statuten-netwerk-circulaire-bouw.pdf", pdf_bytes()), actor=owner
    )
    joiner = UserFactory(email="een.heel.lang.adres@voorbeeld-organisatie.example")
    verification.claim_create(
        organisation=organisation, claimant=joiner, kind=ClaimKind.JOIN, motivation="Ik ben de penningmeester."
    )
    contester = UserFactory(email="bestuur@echte-vzw.example")
    verification.claim_create(
        organisation=organisation,
        claimant=contester,
        kind=ClaimKind.CONTEST,
        motivation="Wij zijn de echte vzw.",
        uploaded_file=upload("mandaat.pdf", pdf_bytes()),
    )
    second = UserFactory()
    manager = make_manager(is_staff=True)
    TOTP.activate(manager, TOTP_SECRET)

    _sign_in(page, owner)
    _check(page, organisation.get_absolute_url(), width, shots and f"{shots}/organisation")
    assert "Nog niet geverifieerd door VLAIO" in page.content()
    assert joiner.email in page.content()

    page.context.clear_cookies()
    _sign_in(page, second)
    claim = reverse("intake:organisation_claim", kwargs={"enterprise_number": organisation.enterprise_number})
    _check(page, claim, width, shots and f"{shots}/claim")
    assert "Vraag om lid te worden" in page.content()
    assert "Betwist deze claim" in page.content()

    page.context.clear_cookies()
    _sign_in(page, manager, second_factor=True)
    _check(page, reverse("admin:intake_organisation_verification", args=[organisation.pk]), width, shots and f"{shots}/admin")
    assert "statuten-netwerk-circulaire-bouw.pdf" in page.content()
    assert contester.email in page.content()
