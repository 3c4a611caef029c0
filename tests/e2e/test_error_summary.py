"""After a refused POST on any applicant form the page opens with the one error summary:
focused (not <body>), announced, each error a link to its field; the fields are marked
(aria-invalid, message linked by aria-describedby); no axe violation and no horizontal
overflow at 390 px. The dossier's section list folds to one line on a phone."""

from pathlib import Path

import pytest

from intake.models import Attachment, BudgetYear, Mandate, Organisation, PreRegistration
from intake.services.dossiers import dossier_for
from tests.e2e.conftest import axe_violations, sign_in
from tests.factories import CallFactory, OrganisationFactory, UserFactory
from tests.intake.dossier_helpers import submitted_preregistration
from tests.intake.file_helpers import pdf_bytes
from tests.intake.pdf_builders import open_action_javascript

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]

MANDATES_CSV = Path(__file__).parents[1] / "intake" / "data" / "mandates_30_with_7_errors.csv"

FOCUSED = """() => {
  const el = document.activeElement;
  return {tag: el ? el.tagName : null, id: el ? el.id : null, role: el ? el.getAttribute("role") : null};
}"""


def _send(page, typed: dict, button: str):
    for name, value in typed.items():
        page.fill(f"#id_{name}", value)
    with page.expect_navigation():  # the page the POST answers with, not the one it left
        page.click(button)


def _assert_refused_page(page, name, *, fields=()):
    """The page after a refused POST, at the current width."""
    focused = page.evaluate(FOCUSED)
    assert focused["tag"] != "BODY", focused
    assert focused["role"] == "alert", focused
    summary = page.locator("[role=alert]:focus")
    assert summary.is_visible()
    for field in fields:
        control = page.locator(f"#id_{field}")
        assert control.get_attribute("aria-invalid") == "true", field
        described = (control.get_attribute("aria-describedby") or "").split()
        assert f"id_{field}_error" in described, (field, described)
        assert page.locator(f"#id_{field}_error").is_visible(), field
        assert summary.locator(f"a[href='#id_{field}']").count() == 1, field
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner, (name, width, inner)
    violations = axe_violations(page, impacts=("minor", "moderate", "serious", "critical"))
    assert violations == [], (name, violations)


def _open_dossier(page, applicant, width):
    """The applicant's dossier unlocked (pre-registration submitted), signed in at ``width``."""
    user, organisation, call = applicant
    submitted_preregistration(call, organisation, user)
    dossier_for(call=call, organisation=organisation)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, user)


@pytest.fixture
def applicant(live_server):
    user = UserFactory()
    organisation = OrganisationFactory(owner=user, name="Netwerk voor circulaire bouwmaterialen vzw")
    call = CallFactory()
    return user, organisation, call


@pytest.mark.parametrize("width", [390, 1280])
def test_refused_preregistration_and_organisation_open_with_the_error_summary(page, applicant, width):
    user, organisation, call = applicant
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, user)

    # Invalid: more companies committed than expected. Nothing is saved.
    page.goto(f"/calls/{call.slug}/preregistration/?organisation={organisation.pk}")
    typed = {"network_name": "Netwerk voor slimme warmte", "expected_member_count": "10", "committed_member_count": "12"}
    _send(page, typed, "main form[action$='/preregistration/'] button[type=submit]")
    _assert_refused_page(page, "prereg-invalid", fields=["committed_member_count"])
    assert not PreRegistration.objects.exists()
    assert page.input_value("#id_network_name") == "Netwerk voor slimme warmte"  # kept as typed
    # The summary's link takes the keyboard to the field.
    page.click("#error-summary a[href='#id_committed_member_count']")
    assert page.evaluate("document.activeElement.id") == "id_committed_member_count"

    # Incomplete "save and submit": nothing saved or submitted, each missing field marked.
    page.fill("#id_committed_member_count", "8")
    with page.expect_navigation():  # the page the POST answers with, not the one it left
        page.click("button[name=and_submit]")
    _assert_refused_page(page, "prereg-incomplete", fields=["acronym", "proposal", "target_group"])
    assert "Er werd niets bewaard of ingediend" in page.text_content("#error-summary")
    assert not PreRegistration.objects.exists()
    assert "(verplicht)" in page.text_content("label[for=id_acronym]")

    # A new organisation without its required fields.
    page.goto("/organisations/new/")
    assert "(verplicht)" in page.text_content("label[for=id_name]")
    page.fill("#id_enterprise_number", "0403.019.262")
    with page.expect_navigation():  # the page the POST answers with, not the one it left
        page.click("main form button[type=submit]")
    _assert_refused_page(page, "organisation-new", fields=["name", "enterprise_number"])
    assert Organisation.objects.count() == 1


@pytest.mark.parametrize("width", [390, 1280])
def test_refused_dossier_forms_open_with_the_error_summary(page, applicant, width):
    _, organisation, call = applicant
    _open_dossier(page, applicant, width)
    query = f"?organisation={organisation.pk}"

    # The budget: an amount that is not one. The stored budget stays as it was.
    page.goto(f"/calls/{call.slug}/dossier/budget/{query}")
    if width == 390:  # the section list is one line; the section comes first
        toggle = page.locator(".dossier-nav-toggle")
        assert toggle.is_visible() and "Onderdeel" in toggle.text_content() and "van 8" in toggle.text_content()
        assert not page.locator(".dossier-nav ol").is_visible()
        assert page.locator("h1").bounding_box()["y"] < 700
    else:
        assert page.locator(".dossier-nav ol").is_visible()
        assert not page.locator(".dossier-nav-toggle").is_visible()
    _send(page, {"years-0-staff_costs": "120.000,00", "years-0-operating_costs": "twaalf"}, "main form button[type=submit]")
    _assert_refused_page(page, "budget", fields=["years-0-operating_costs"])
    assert not BudgetYear.objects.exists()
    assert page.input_value("#id_years-0-staff_costs") == "120.000,00"

    # One mandating enterprise by hand, without its name and with a Walloon postal code.
    page.goto(f"/calls/{call.slug}/dossier/mandates/{query}")
    page.fill("#id_enterprise_number", "0403.019.261")
    page.fill("#id_postal_code", "40")
    with page.expect_navigation():  # the page the POST answers with, not the one it left
        page.locator("form:has(input[name=action][value=add]) button[type=submit]").click()
    _assert_refused_page(page, "mandate-add", fields=["name"])
    # The summary is at the top of the page, not next to the form at its bottom.
    assert page.locator("#error-summary").bounding_box()["y"] < 400
    assert not Mandate.objects.exists()

    # A CSV file with errors: nothing imported, the summary points at the file.
    page.set_input_files("#id_file", str(MANDATES_CSV))
    with page.expect_navigation():  # the page the POST answers with, not the one it left
        page.locator("form:has(input[name=action][value=import]) button[type=submit]").click()
    _assert_refused_page(page, "mandates-import", fields=["file"])
    assert not Mandate.objects.exists()

    # Submitting the incomplete dossier: the overview opens with the gaps, focused.
    page.goto(f"/calls/{call.slug}/dossier/{query}")
    with page.expect_navigation():  # the page the POST answers with, not the one it left
        page.click("form[action$='/dossier/submit/'] button[type=submit]")
    _assert_refused_page(page, "dossier-submit")


@pytest.mark.parametrize("width", [390, 1280])
def test_a_refused_upload_opens_the_attachments_page_with_the_reason_in_the_error_summary(page, applicant, width):
    _, organisation, call = applicant
    _open_dossier(page, applicant, width)

    page.goto(f"/calls/{call.slug}/dossier/attachments/?organisation={organisation.pk}")
    page.select_option("#id_kind", "mandate-letters")
    hostile = pdf_bytes(change=open_action_javascript)
    page.set_input_files("#id_file", files=[{"name": "mandaatbrieven.pdf", "mimeType": "application/pdf", "buffer": hostile}])
    with page.expect_navigation():  # the page the POST answers with, not the one it left
        page.locator("main form[enctype] button[type=submit]").click()

    _assert_refused_page(page, "attachments-refused", fields=["file"])
    assert "Dit PDF-bestand bevat JavaScript;" in page.text_content("#error-summary")
    assert not Attachment.objects.exists()
