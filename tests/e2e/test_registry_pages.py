"""The pages that show what the register (KBO) says (issue 14): the organisation form filled
in from the register, the organisation page with the differences, the mandates page with
the registered facts and an import report of registry failures. No axe violation of any
impact, no horizontal scrolling at 390 px."""

import os

import pytest

from intake.services.dossiers import dossier_for
from intake.services.mandates import mandate_add
from intake.services.registry import registry_import
from tests.e2e.conftest import ALL_IMPACTS, axe_violations, sign_in
from tests.factories import CallFactory, OrganisationFactory, UserFactory
from tests.intake import registry_helpers as kbo
from tests.intake.dossier_helpers import submitted_preregistration
from tests.intake.mandate_helpers import csv_bytes
from tests.intake.web.dossier_pages import url


def _check(page, width, shots=None):
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner, (page.url, width, scroll)
    assert axe_violations(page, impacts=ALL_IMPACTS) == [], (page.url, width)
    if shots:
        page.screenshot(path=f"{shots}-{width}.png", full_page=True)


@pytest.mark.parametrize("width", [1280, 390])
def test_registry_pages_are_accessible(page, live_server, tmp_path, width):
    shots = os.environ.get("SCREENSHOTS_DIR")
    page.set_viewport_size({"width": width, "height": 900})
    owner = UserFactory()
    sign_in(page, owner)
    page.goto("/organisations/new/")
    _check(page, width, shots and f"{shots}/organisation-new-off")
    assert "De controle in het register staat uit" in page.content()

    registry_import(path=kbo.full_zip(tmp_path))
    page.goto(f"/organisations/new/?lookup={kbo.LEGAL}")
    _check(page, width, shots and f"{shots}/organisation-new-lookup")
    assert page.input_value("#id_name") == "Cluster Vlaanderen"
    page.goto(f"/organisations/new/?lookup={kbo.NATURAL}")
    _check(page, width, shots and f"{shots}/organisation-new-natural")

    organisation = OrganisationFactory(
        owner=owner, enterprise_number=kbo.canonical(kbo.LEGAL), name="Netwerk voor circulaire bouwmaterialen vzw"
    )
    page.goto(organisation.get_absolute_url())
    _check(page, width, shots and f"{shots}/organisation-differences")
    assert "Het register zegt" in page.content()

    call = CallFactory()
    submitted_preregistration(call, organisation, owner)
    dossier = dossier_for(call=call, organisation=organisation)
    for number in (kbo.MIXED, kbo.BRUSSELS):
        mandate_add(
            dossier_id=dossier.pk,
            data={"enterprise_number": kbo.canonical(number), "name": "Lid", "postal_code": "2000", "is_sme": True},
            actor=owner,
        )
    page.goto(url(call, organisation, "dossier_mandates"))
    csv_path = tmp_path / "leden.csv"
    rows = [(kbo.NOBODY, "Niemand BV", "9000", "Gent", "ja", ""), (kbo.NATURAL, "Bakker", "3000", "Leuven", "ja", "")]
    csv_path.write_bytes(csv_bytes(rows))
    page.set_input_files("input[type=file]", str(csv_path))
    page.check("input[name=import_good_rows]")
    with page.expect_navigation():  # the page the POST answers with, not the one it left
        page.click("form:has(input[name=action][value=import]) button[type=submit]")
    _check(page, width, shots and f"{shots}/mandates-report")
    assert "kent geen onderneming" in page.content()
    assert "Doorniksestraat 5, 8500 Kortrijk" in page.content()
