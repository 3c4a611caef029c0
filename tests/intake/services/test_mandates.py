"""Mandating enterprises through intake.services.mandates: the import (all or nothing, or
the good rows only), manual add/update/remove with their locks and the deadline, and one
mandate letter per enterprise."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from intake.kernel.enums import AttachmentKind, DossierSection
from intake.kernel.errors import DeadlinePassed, DomainError, DossierLocked, DuplicateMandate, EditConflict, MandateNotFound
from intake.models import Attachment, AuditEvent, Mandate, PreRegistration
from intake.rules.completeness import dossier_gaps
from intake.rules.mandates import mandate_checks, mandate_count
from intake.rules.snapshots import dossier_content
from intake.services.attachments import attachment_upload
from intake.services.mandates import mandate_add, mandate_letter_set, mandate_remove, mandate_update, mandates_import_csv
from tests.factories import OrganisationFactory
from tests.intake.dossier_helpers import complete_dossier, fresh, pdf_upload
from tests.intake.mandate_helpers import (
    REFERENCE_WITH_ERRORS,
    VALID_FILES,
    csv_bytes,
    enterprise_number,
    good_row,
    make_dossier,
    mandate_data,
    read,
)

# --- Import ----------------------------------------------------------------------------------


def test_import_with_errors_and_without_good_rows_creates_nothing(dossier, actor):
    report = mandates_import_csv(dossier_id=dossier.pk, data=read(REFERENCE_WITH_ERRORS), import_good_rows=False, actor=actor)

    assert report.imported == 0
    assert len(report.errors) == 7
    assert not Mandate.objects.filter(dossier=dossier).exists()
    dossier.refresh_from_db()
    assert dossier.section_version(DossierSection.MANDATES) == 0
    assert not AuditEvent.objects.filter(action="mandates.imported").exists()


def test_import_good_rows_creates_the_23(dossier, actor):
    report = mandates_import_csv(dossier_id=dossier.pk, data=read(REFERENCE_WITH_ERRORS), import_good_rows=True, actor=actor)

    assert report.imported == 23
    assert sorted(dossier.mandates.values_list("enterprise_number", flat=True)) == sorted(
        row.enterprise_number for row in report.rows
    )
    dossier.refresh_from_db()
    assert dossier.section_version(DossierSection.MANDATES) == 1
    assert dossier.updated_by == actor
    event = AuditEvent.objects.get(action="mandates.imported")
    assert (event.actor, event.object_id, event.call, event.organisation) == (
        actor,
        str(dossier.pk),
        dossier.call,
        dossier.organisation,
    )
    assert event.data == {"imported": 23, "errors": 7}
    # 23 is fewer than the 30 the call requires.
    assert mandate_count(dossier).is_enough is False


@pytest.mark.parametrize("name", VALID_FILES)
def test_import_valid_file_creates_35(dossier, actor, name):
    report = mandates_import_csv(dossier_id=dossier.pk, data=read(name), import_good_rows=False, actor=actor)

    assert report.imported == 35
    count = mandate_count(dossier)
    assert (count.total, count.counted, count.not_flemish, count.is_enough) == (35, 35, 0, True)


def test_import_twice_reports_every_row_as_duplicate_in_dossier(dossier, actor):
    mandates_import_csv(dossier_id=dossier.pk, data=read(VALID_FILES[0]), import_good_rows=False, actor=actor)

    again = mandates_import_csv(dossier_id=dossier.pk, data=read(VALID_FILES[1]), import_good_rows=True, actor=actor)

    assert again.imported == 0
    assert len(again.errors) == 35
    assert {error.code for error in again.errors} == {"duplicate_in_dossier"}
    assert dossier.mandates.count() == 35
    assert AuditEvent.objects.filter(action="mandates.imported").count() == 1


def test_import_file_error_creates_nothing(dossier, actor):
    report = mandates_import_csv(dossier_id=dossier.pk, data=b"naam;postcode\r\nX;9000\r\n", import_good_rows=True, actor=actor)
    assert [error.code for error in report.file_errors] == ["missing_columns"]
    assert report.imported == 0
    assert not dossier.mandates.exists()


@pytest.mark.parametrize("after", [timedelta(0), timedelta(seconds=1), timedelta(days=30)], ids=["at", "1s-after", "30d-after"])
def test_import_after_the_dossier_deadline_raises_and_creates_nothing(dossier, actor, after):
    with time_machine.travel(dossier.call.dossier_deadline + after, tick=False), pytest.raises(DeadlinePassed):
        mandates_import_csv(dossier_id=dossier.pk, data=read(VALID_FILES[0]), import_good_rows=True, actor=actor)

    assert not dossier.mandates.exists()
    assert not AuditEvent.objects.filter(action="mandates.imported").exists()


def test_import_just_before_the_dossier_deadline_is_accepted(dossier, actor):
    with time_machine.travel(dossier.call.dossier_deadline - timedelta(microseconds=1), tick=False):
        report = mandates_import_csv(dossier_id=dossier.pk, data=read(VALID_FILES[0]), import_good_rows=True, actor=actor)
    assert report.imported == 35


def test_import_refused_when_the_preregistration_is_no_longer_submitted(dossier, actor):
    PreRegistration.objects.filter(pk=dossier.preregistration_id).update(state="withdrawn")
    with pytest.raises(DossierLocked):
        mandates_import_csv(dossier_id=dossier.pk, data=read(VALID_FILES[0]), import_good_rows=True, actor=actor)
    assert not dossier.mandates.exists()


# --- Manual add, update, remove --------------------------------------------------------------


def test_mandate_add_accepts_a_brussels_enterprise_that_does_not_count(dossier, actor):
    mandates_import_csv(
        dossier_id=dossier.pk, data=csv_bytes([good_row(n) for n in range(30)]), import_good_rows=False, actor=actor
    )

    brussels = mandate_add(dossier_id=dossier.pk, data=mandate_data(99, postal_code="1000", municipality="Brussel"), actor=actor)

    checks = mandate_checks(brussels.enterprise_number, brussels.postal_code)
    assert (checks["valid_number"], checks["flemish"], checks["counts"]) == (True, False, False)
    count = mandate_count(dossier)
    assert (count.total, count.counted, count.not_flemish, count.minimum, count.is_enough) == (31, 30, 1, 30, True)


def test_mandate_add_normalises_the_number_and_bumps_the_section(dossier, actor):
    mandate = mandate_add(dossier_id=dossier.pk, data=mandate_data(enterprise_number="BE 0403.019.261"), actor=actor)
    assert mandate.enterprise_number == "0403019261"
    dossier.refresh_from_db()
    assert dossier.section_version(DossierSection.MANDATES) == 1


def test_mandate_add_duplicate_is_a_domain_error(dossier, actor):
    mandate_add(dossier_id=dossier.pk, data=mandate_data(1), actor=actor)

    with pytest.raises(DuplicateMandate) as raised:
        mandate_add(dossier_id=dossier.pk, data=mandate_data(1, name="Andere naam"), actor=actor)

    assert raised.value.code == "duplicate_in_dossier"
    assert dossier.mandates.count() == 1


def test_mandate_add_invalid_fields_raise_validation_error_with_codes(dossier, actor):
    data = mandate_data(enterprise_number="0403.019.262", name=" ", postal_code="999", contact_email="x@", is_sme=None)

    with pytest.raises(ValidationError) as raised:
        mandate_add(dossier_id=dossier.pk, data=data, actor=actor)

    assert {field: [e.code for e in errors] for field, errors in raised.value.error_dict.items()} == {
        "enterprise_number": ["enterprise_number_checksum"],
        "name": ["name_missing"],
        "postal_code": ["postal_code_invalid"],
        "contact_email": ["email_invalid"],
        "is_sme": ["sme_invalid"],
    }
    assert not dossier.mandates.exists()


def test_mandate_add_refuses_a_number_the_register_never_issues(dossier, actor):
    with pytest.raises(ValidationError) as raised:
        mandate_add(dossier_id=dossier.pk, data=mandate_data(enterprise_number="0000000097"), actor=actor)

    assert [e.code for e in raised.value.error_dict["enterprise_number"]] == ["enterprise_number_not_issued"]
    assert not dossier.mandates.exists()


def test_mandate_update_changes_and_increments_the_version(dossier, actor):
    mandate = mandate_add(dossier_id=dossier.pk, data=mandate_data(1), actor=actor)

    updated = mandate_update(
        dossier_id=dossier.pk, mandate_id=mandate.pk, data=mandate_data(1, name="Nieuwe naam NV"), expected_version=1, actor=actor
    )

    mandate.refresh_from_db()
    assert (updated.version, mandate.version, mandate.name) == (2, 2, "Nieuwe naam NV")


def test_mandate_update_with_a_stale_version_is_a_conflict(dossier, actor):
    mandate = mandate_add(dossier_id=dossier.pk, data=mandate_data(1), actor=actor)
    mandate_update(
        dossier_id=dossier.pk, mandate_id=mandate.pk, data=mandate_data(1, name="Eerst"), expected_version=1, actor=actor
    )

    with pytest.raises(EditConflict):
        mandate_update(
            dossier_id=dossier.pk, mandate_id=mandate.pk, data=mandate_data(1, name="Tweede"), expected_version=1, actor=actor
        )

    mandate.refresh_from_db()
    assert (mandate.name, mandate.version) == ("Eerst", 2)


def test_mandate_update_to_a_number_already_in_the_dossier_is_refused(dossier, actor):
    mandate_add(dossier_id=dossier.pk, data=mandate_data(1), actor=actor)
    second = mandate_add(dossier_id=dossier.pk, data=mandate_data(2), actor=actor)

    with pytest.raises(DuplicateMandate):
        mandate_update(dossier_id=dossier.pk, mandate_id=second.pk, data=mandate_data(1), expected_version=1, actor=actor)

    second.refresh_from_db()
    assert second.enterprise_number == enterprise_number(2)


def test_mandate_remove_deletes_and_bumps_the_section(dossier, actor):
    mandate = mandate_add(dossier_id=dossier.pk, data=mandate_data(1), actor=actor)

    mandate_remove(dossier_id=dossier.pk, mandate_id=mandate.pk, actor=actor)

    assert not dossier.mandates.exists()
    dossier.refresh_from_db()
    assert dossier.section_version(DossierSection.MANDATES) == 2


def test_mandate_of_another_dossier_cannot_be_changed(dossier, actor):
    other = make_dossier()
    foreign = mandate_add(dossier_id=other.pk, data=mandate_data(1), actor=actor)

    with pytest.raises(MandateNotFound):
        mandate_remove(dossier_id=dossier.pk, mandate_id=foreign.pk, actor=actor)
    with pytest.raises(MandateNotFound):
        mandate_update(dossier_id=dossier.pk, mandate_id=foreign.pk, data=mandate_data(2), expected_version=1, actor=actor)

    assert Mandate.objects.filter(pk=foreign.pk, enterprise_number=enterprise_number(1)).exists()


def test_mandate_add_after_the_deadline_raises(dossier, actor):
    with time_machine.travel(dossier.call.dossier_deadline, tick=False), pytest.raises(DeadlinePassed):
        mandate_add(dossier_id=dossier.pk, data=mandate_data(1), actor=actor)
    assert not dossier.mandates.exists()


# --- Mandate letters, one per enterprise -----------------------------------------------------


def test_mandate_letters_one_per_enterprise_replace_the_combined_pdf(ready_dossier, user):
    combined = ready_dossier.attachments.get(kind=AttachmentKind.MANDATE_LETTERS)
    Attachment.objects.filter(pk=combined.pk).delete()
    assert [g.section for g in dossier_gaps(fresh(ready_dossier))] == [DossierSection.ATTACHMENTS]

    mandates = list(ready_dossier.mandates.all())
    for n, mandate in enumerate(mandates):
        letter = attachment_upload(
            dossier_id=ready_dossier.pk,
            uploaded_file=pdf_upload(f"mandaat-{n}.pdf", text=f"mandaat {n}"),
            kind=AttachmentKind.MANDATE_LETTERS,
            actor=user,
        )
        mandate_letter_set(dossier_id=ready_dossier.pk, mandate_id=mandate.pk, attachment_id=letter.pk, actor=user)

    assert dossier_gaps(fresh(ready_dossier)) == []
    content = dossier_content(fresh(ready_dossier))
    assert all(m["letter_sha256"] for m in content["mandates"])


def test_mandate_letter_must_be_a_mandate_letter_of_the_same_dossier(ready_dossier, user, call):
    mandate = ready_dossier.mandates.first()
    budget = ready_dossier.attachments.get(kind=AttachmentKind.BUDGET_TEMPLATE)
    other = complete_dossier(call, OrganisationFactory(owner=user), user)
    foreign = other.attachments.get(kind=AttachmentKind.MANDATE_LETTERS)

    for attachment in (budget, foreign):
        with pytest.raises(DomainError):
            mandate_letter_set(dossier_id=ready_dossier.pk, mandate_id=mandate.pk, attachment_id=attachment.pk, actor=user)
    assert Mandate.objects.get(pk=mandate.pk).letter_id is None
