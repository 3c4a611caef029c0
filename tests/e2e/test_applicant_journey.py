"""The applicant's journey in a real browser: sign up, confirm the e-mail address, sign
in, register the organisation, write and submit the pre-registration, get the registered
instant at once and the receipt link; each page checked with axe-core."""

import re

import pytest

from intake.models import PreRegistration, Submission
from tests.e2e.conftest import axe_violations
from tests.factories import CallFactory, PolicyPriorityFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]

EMAIL = "an.aanvrager@voorbeeld.example"
PASSWORD = "Warmtenet-2026-veilig"


def _no_violations(page):
    violations = axe_violations(page)
    assert violations == [], violations


def test_applicant_journey_from_sign_up_to_submitted_preregistration(page, live_server, settings, tmp_path, mailoutbox):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    settings.SITE_URL = live_server.url
    priority = PolicyPriorityFactory(name="Klimaat en energie")
    call = CallFactory(title="Vierde oproep innovatieve bedrijfsnetwerken", priorities=[priority], proposal_max_chars=400)

    # The home page lists the open call with its deadlines in Brussels time.
    page.goto("/")
    assert call.title in page.content()
    assert re.search(r"\d{1,2} \w+ \d{4} om 12:00|om \d\d:\d\d", page.content())
    _no_violations(page)

    # Sign up; the address must be confirmed through the link in the e-mail.
    page.goto("/accounts/signup/")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/accounts/confirm-email/"))
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", mailoutbox[-1].body).group(0)
    page.goto(link.replace(settings.SITE_URL, ""))
    with page.expect_navigation():  # the page the POST answers with, not the one it left
        page.click("main form button[type=submit]")

    # Register the applicant organisation (enterprise number typed the way people do).
    page.goto("/organisations/new/")
    _no_violations(page)
    page.fill("#id_name", "Warmtenet Vlaanderen vzw")
    page.fill("#id_enterprise_number", "BE 0403 019 261")
    page.select_option("#id_legal_form", "vzw")
    page.check("#id_has_legal_personality")
    page.fill("#id_street", "Koning Albert II-laan 35")
    page.fill("#id_postal_code", "2000")
    page.fill("#id_municipality", "Antwerpen")
    page.fill("#id_contact_name", "An Aanvrager")
    page.fill("#id_contact_email", EMAIL)
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/organisations/\d+/"))
    assert "0403.019.261" in page.content()

    # The pre-registration: a live character counter, save as draft, then submit.
    page.goto(f"/calls/{call.slug}/preregistration/")
    assert "Deadline" in page.content()
    page.fill("#id_network_name", "Netwerk voor slimme warmte")
    page.fill("#id_acronym", "WARM")
    page.select_option("#id_policy_priority", str(priority.pk))
    page.fill("#id_proposal", "Bedrijven werken samen aan warmtenetten.")
    assert page.text_content("#id_proposal_counter").strip().startswith("40 ")
    page.fill("#id_target_group", "Installateurs")
    page.fill("#id_expected_member_count", "40")
    page.fill("#id_committed_member_count", "12")
    page.fill("#id_planned_activities", "Workshops en matchmaking.")
    page.fill("#id_contact_name", "An Aanvrager")
    page.fill("#id_contact_email", EMAIL)
    _no_violations(page)
    with page.expect_navigation():  # the page the POST answers with, not the one it left
        page.click("main form[action$='/preregistration/'] button[type=submit]")
    assert PreRegistration.objects.get().version == 1

    page.fill("#id_planned_activities", "Workshops, matchmaking en bedrijfsbezoeken.")  # a last change, not saved yet
    with page.expect_navigation():  # the page the POST answers with, not the one it left
        page.click("button[name=and_submit]")
    submission = Submission.objects.get()
    assert "bedrijfsbezoeken" in submission.snapshot  # the last change was saved and submitted
    content = page.content()
    assert submission.reference in content  # the registered reference and instant, at once
    # Registered "om 11:42": on the page a moment has no seconds or UTC offset (the receipt has).
    assert re.search(r"Geregistreerd op \d{1,2} \w+ \d{4} om \d\d:\d\d,", content)
    assert not re.search(r"\d\d:\d\d:\d\d \(UTC", content)
    page.reload()
    assert page.locator(f"a[href='/receipts/{submission.reference}/']").count() == 1  # the receipt link
    _no_violations(page)
