"""Mandating enterprises checked against the loaded KBO extract: the CSV import says per
line which registry check failed, the page shows the registered name and the establishment
that makes an enterprise Flemish, the count uses the register's facts, and the submission
records the extract it was checked against (issue 14, item 3)."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from intake.messaging.receipts import receipt_context
from intake.models import Mandate, Submission
from intake.rules.completeness import dossier_gaps
from intake.rules.mandates import mandate_count
from intake.rules.registry import mandate_registry
from intake.services.mandates import mandate_add
from intake.services.registry import registry_import
from intake.services.submissions import dossier_submit
from reviews.admissibility import checklist
from tests.factories import OrganisationFactory, UserFactory
from tests.intake import registry_helpers as kbo
from tests.intake.dossier_helpers import complete_dossier
from tests.intake.mandate_helpers import csv_bytes
from tests.intake.web.dossier_pages import url

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(tmp_path):
    registry_import(path=kbo.full_zip(tmp_path))


def _row(number, postal_code, name="Lid"):
    return (number, name, postal_code, "Ergens", "ja", "")


def _import(client, call, organisation, rows):
    upload = SimpleUploadedFile("leden.csv", csv_bytes(rows), content_type="text/csv")
    data = {"organisation": organisation.pk, "action": "import", "file": upload, "import_good_rows": "on"}
    return client.post(url(call, organisation, "dossier_mandates"), data)


def test_the_csv_import_report_names_the_failed_registry_check_per_line(logged_in_client, call, dossier, registry):
    rows = [
        _row(kbo.LEGAL, "2000"),  # line 2: seat in Antwerp
        _row(kbo.BRUSSELS, "2000"),  # line 3: typed Flemish, registered seat in Brussels
        _row(kbo.WALLOON_UNIT, "9000"),  # line 4: seat in Ghent, its only unit in Namur
        _row(kbo.NOBODY, "9000"),  # line 5: in no extract
        _row(kbo.MIXED, "8500"),  # line 6: seat in Liège, but its unit in Kortrijk makes it Flemish
    ]

    response = _import(logged_in_client, call, dossier.organisation, rows)

    errors = {e.line: (e.code, e.message) for e in response.context["report"].errors}
    assert errors == {
        3: ("registry_not_flemish", f"Volgens het register (KBO) heeft {kbo.BRUSSELS} geen vestiging in het Vlaams Gewest."),
        4: ("registry_not_flemish", f"Volgens het register (KBO) heeft {kbo.WALLOON_UNIT} geen vestiging in het Vlaams Gewest."),
        5: ("registry_not_in_registry", f"Het register (KBO) kent geen onderneming {kbo.NOBODY}."),
    }
    assert sorted(Mandate.objects.values_list("enterprise_number", flat=True)) == sorted(
        [kbo.canonical(kbo.LEGAL), kbo.canonical(kbo.MIXED)]
    )
    html = response.content.decode()
    assert "KBO-uittreksel 140 van 4 oktober 2026" in html
    assert "Doorniksestraat 5, 8500 Kortrijk" in html  # the establishment that makes MIXED Flemish
    assert "Cluster Vlaanderen" in html  # the registered name


def test_without_a_registry_the_mandates_page_says_checks_are_off(logged_in_client, call, dossier):
    html = logged_in_client.get(url(call, dossier.organisation, "dossier_mandates")).content.decode()

    assert "De controle in het register staat uit" in html


def test_the_count_uses_the_register_not_the_typed_postal_code(dossier, actor, registry):
    # Entered by hand with a Flemish postal code; the register knows it has its seat in Brussels.
    mandate_add(
        dossier_id=dossier.pk,
        data={"enterprise_number": kbo.canonical(kbo.BRUSSELS), "name": "B", "postal_code": "2000", "is_sme": True},
        actor=actor,
    )
    mandate_add(
        dossier_id=dossier.pk,
        data={"enterprise_number": kbo.canonical(kbo.LEGAL), "name": "L", "postal_code": "2000", "is_sme": True},
        actor=actor,
    )
    assert mandate_count(dossier).counted == 2  # checks off: the typed postal codes decide
    numbers = [kbo.canonical(kbo.BRUSSELS), kbo.canonical(kbo.LEGAL)]
    assert mandate_count(dossier, mandate_registry(numbers)).counted == 1


def test_the_submission_records_the_extract_and_the_receipt_and_checklist_say_so(call, tmp_path, mailoutbox):
    call.min_mandating_enterprises = 2
    call.save()
    user = UserFactory()
    organisation = OrganisationFactory(owner=user, enterprise_number=kbo.canonical(kbo.LEGAL))
    dossier = complete_dossier(call, organisation, user, mandates=0)
    for number in (kbo.LEGAL, kbo.MIXED, kbo.BRUSSELS):
        mandate_add(
            dossier_id=dossier.pk,
            data={"enterprise_number": kbo.canonical(number), "name": "M", "postal_code": "2000", "is_sme": True},
            actor=user,
        )
    registry_import(path=kbo.full_zip(tmp_path))
    assert not [g for g in dossier_gaps(dossier) if g.section == "mandates"]

    dossier_submit(dossier_id=dossier.pk, actor=user)

    submission = Submission.objects.get(kind="dossier")
    snapshot = json.loads(submission.snapshot)
    assert snapshot["mandating_enterprises_counted"] == 2
    assert (snapshot["registry"]["extract_number"], snapshot["registry"]["snapshot_date"]) == (140, "2026-10-04")
    assert snapshot["registry"]["enterprises"][kbo.canonical(kbo.BRUSSELS)]["problems"] == ["not_flemish"]
    assert "(gecontroleerd tegen KBO-uittreksel 140 van 4 oktober 2026)" in receipt_context(submission)["registry_checked"]
    mandates_check = next(c for c in checklist(dossier, submission) if c.code == "mandates")
    assert mandates_check.ok and "KBO-uittreksel 140 van 4 oktober 2026" in mandates_check.label
    applicant_check = next(c for c in checklist(dossier, submission) if c.code == "legal_personality")
    assert applicant_check.ok and "KBO-uittreksel 140" in applicant_check.label
    assert snapshot["registry"]["applicant"] == {"name": "Cluster Vlaanderen", "problems": [], "messages": []}
