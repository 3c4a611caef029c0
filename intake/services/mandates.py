"""Mandating enterprises of a dossier: the CSV import, manual add, update, removal and the
link to a mandate letter. Every write goes through ``dossier_lock_for_edit``, so deadlines
and dossier states are checked in one place; the rules are intake.rules.mandates."""

from django.db import transaction
from django.utils.translation import gettext as _

from intake.audit import audit_record, records_late_attempts
from intake.kernel.enums import AttachmentKind, DossierSection
from intake.kernel.errors import DomainError, DuplicateMandate, EditConflict, MandateNotFound
from intake.models import Mandate
from intake.rules.mandates import ImportReport, mandate_clean, parse_mandates_csv, registry_row_errors
from intake.rules.registry import mandate_registry
from intake.services.dossiers import bump_section_version, dossier_lock_for_edit


@records_late_attempts
def mandates_import_csv(*, dossier_id: int, data: bytes, import_good_rows: bool, actor, arrived_at=None) -> ImportReport:
    """Import a mandates CSV into the dossier. With errors in the file, nothing is created
    unless the applicant chose to import the good rows anyway."""
    with transaction.atomic():
        dossier = dossier_lock_for_edit(dossier_id=dossier_id, arrived_at=arrived_at)
        existing = set(dossier.mandates.values_list("enterprise_number", flat=True))
        report = parse_mandates_csv(data, existing_numbers=existing)
        # Checked against the loaded KBO extract too, in four queries for the whole file.
        report = registry_row_errors(report, mandate_registry([row.enterprise_number for row in report.rows]))
        if report.file_errors or (report.errors and not import_good_rows) or not report.rows:
            return report
        Mandate.objects.bulk_create(
            Mandate(
                dossier=dossier,
                enterprise_number=row.enterprise_number,
                name=row.name,
                postal_code=row.postal_code,
                municipality=row.municipality,
                is_sme=row.is_sme,
                contact_email=row.contact_email,
            )
            for row in report.rows
        )
        report.imported = len(report.rows)
        bump_section_version(dossier, DossierSection.MANDATES, actor)
        audit_record(
            actor=actor,
            action="mandates.imported",
            obj=dossier,
            call=dossier.call,
            organisation=dossier.organisation,
            data={"imported": report.imported, "errors": len(report.errors)},
        )
    return report


def _mandate_of(dossier, mandate_id: int) -> Mandate:
    # Scoped to the dossier: a mandate id from another dossier is "not found", never edited.
    mandate = Mandate.objects.filter(dossier=dossier, pk=mandate_id).first()
    if mandate is None:
        raise MandateNotFound()
    return mandate


@records_late_attempts
def mandate_add(*, dossier_id: int, data: dict, actor, arrived_at=None) -> Mandate:
    """Add one mandating enterprise by hand. Raises ValidationError for invalid fields and
    DuplicateMandate when the enterprise is already in the dossier."""
    cleaned = mandate_clean(data)
    with transaction.atomic():
        dossier = dossier_lock_for_edit(dossier_id=dossier_id, arrived_at=arrived_at)
        # The dossier row lock serialises all mandate writes, so this check cannot race.
        if dossier.mandates.filter(enterprise_number=cleaned["enterprise_number"]).exists():
            raise DuplicateMandate(cleaned["enterprise_number"])
        mandate = Mandate.objects.create(dossier=dossier, **cleaned)
        bump_section_version(dossier, DossierSection.MANDATES, actor)
    return mandate


@records_late_attempts
def mandate_update(*, dossier_id: int, mandate_id: int, data: dict, expected_version: int, actor, arrived_at=None) -> Mandate:
    """Change one mandate. ``expected_version`` is the Mandate.version the form was built
    from; when a colleague saved it in the meantime, EditConflict and nothing changes."""
    cleaned = mandate_clean(data)
    with transaction.atomic():
        dossier = dossier_lock_for_edit(dossier_id=dossier_id, arrived_at=arrived_at)
        mandate = _mandate_of(dossier, mandate_id)
        if mandate.version != expected_version:
            raise EditConflict()
        if dossier.mandates.filter(enterprise_number=cleaned["enterprise_number"]).exclude(pk=mandate.pk).exists():
            raise DuplicateMandate(cleaned["enterprise_number"])
        for name, value in cleaned.items():
            setattr(mandate, name, value)
        mandate.version += 1
        mandate.save(update_fields=[*cleaned, "version"])
        bump_section_version(dossier, DossierSection.MANDATES, actor)
    return mandate


@records_late_attempts
def mandate_remove(*, dossier_id: int, mandate_id: int, actor, arrived_at=None) -> None:
    with transaction.atomic():
        dossier = dossier_lock_for_edit(dossier_id=dossier_id, arrived_at=arrived_at)
        _mandate_of(dossier, mandate_id).delete()
        bump_section_version(dossier, DossierSection.MANDATES, actor)


@records_late_attempts
def mandate_letter_set(*, dossier_id: int, mandate_id: int, attachment_id: int | None, actor, arrived_at=None) -> Mandate:
    """Link one enterprise's own mandate letter (an uploaded mandate-letter PDF of the same
    dossier), or unlink it with None. A combined PDF for all enterprises needs no links."""
    with transaction.atomic():
        dossier = dossier_lock_for_edit(dossier_id=dossier_id, arrived_at=arrived_at)
        mandate = _mandate_of(dossier, mandate_id)
        letter = None
        if attachment_id is not None:
            letter = dossier.attachments.filter(pk=attachment_id, kind=AttachmentKind.MANDATE_LETTERS).first()
            if letter is None:
                raise DomainError(_("Choose a mandate letter uploaded to this dossier."))
        mandate.letter = letter
        mandate.version += 1
        mandate.save(update_fields=["letter", "version"])
        bump_section_version(dossier, DossierSection.MANDATES, actor)
    return mandate
