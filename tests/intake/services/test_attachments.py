"""Uploading and deleting the full dossier's attachments (intake.services.attachments): type
by content, size limits, safe names, private storage that never keeps a refused or
rolled-back file, and the deadline."""

import hashlib
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import TemporaryUploadedFile

from intake.kernel.enums import AttachmentKind, DossierSection
from intake.kernel.errors import AttachmentRefused, DeadlinePassed, DossierLocked
from intake.models import Attachment, AuditEvent, PreRegistration
from intake.rules.files import ODS, PDF, XLSX
from intake.selectors.dossiers import attachments_total_size
from intake.services.attachments import attachment_delete, attachment_upload
from intake.services.dossiers import dossier_for
from tests.factories import CallFactory, OrganisationFactory, PreRegistrationFactory, UserFactory
from tests.intake.file_helpers import EXE, MB, OLE_SIGNATURE, docx_bytes, odf_bytes, pdf_bytes, stored_files, upload, xlsx_bytes
from tests.intake.pdf_builders import PDF_SIGNATURE_HTML, hostile_pdf


def refused_code(excinfo) -> str:
    return excinfo.value.code


# --- upload ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "name", "content", "content_type", "sent_type"),
    [
        (AttachmentKind.MANDATE_LETTERS, "Mandaatbrieven.pdf", pdf_bytes(), PDF, "application/pdf"),
        (AttachmentKind.OTHER, "Jaarverslag 2025.pdf", pdf_bytes(), PDF, "application/octet-stream"),
        (AttachmentKind.BUDGET_TEMPLATE, "Begroting.xlsx", xlsx_bytes(), XLSX, "application/vnd.ms-excel"),
        (AttachmentKind.BUDGET_TEMPLATE, "Begroting.ods", odf_bytes(), ODS, "text/plain"),
    ],
    ids=["pdf-mandates", "pdf-other", "xlsx-budget", "ods-budget"],
)
def test_upload_accepts_allowed_types(dossier, user, storage_root, kind, name, content, content_type, sent_type):
    attachment = attachment_upload(dossier_id=dossier.pk, uploaded_file=upload(name, content, sent_type), kind=kind, actor=user)

    attachment.refresh_from_db()
    assert attachment.dossier == dossier
    assert attachment.kind == kind
    assert attachment.content_type == content_type
    assert attachment.size == len(content)
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert attachment.original_name == name
    assert attachment.uploaded_by == user
    assert attachment.file.name.startswith(f"dossiers/{dossier.pk}/")
    [path] = stored_files(storage_root)
    assert path.read_bytes() == content
    assert path.relative_to(storage_root).as_posix() == attachment.file.name
    assert path.name.endswith(f"-{name}")
    assert len(path.name) == 32 + 1 + len(name)

    dossier.refresh_from_db()
    assert dossier.section_version(DossierSection.ATTACHMENTS) == 1
    assert dossier.updated_by == user
    event = AuditEvent.objects.get(action="attachment.uploaded")
    assert event.object_id == str(attachment.pk)
    assert event.actor == user
    assert event.call == dossier.call
    assert event.organisation == dossier.organisation
    assert event.data["name"] == name
    assert event.data["sha256"] == attachment.sha256
    assert event.data["size"] == len(content)


def test_upload_names_the_file_after_its_content(dossier, user, storage_root):
    attachment = attachment_upload(
        dossier_id=dossier.pk, uploaded_file=upload("../rapport.PDF.exe", pdf_bytes()), kind=AttachmentKind.OTHER, actor=user
    )
    assert attachment.original_name == "rapport.pdf"
    assert attachment.file.name.endswith("-rapport.pdf")


def test_upload_of_exe_renamed_pdf_is_refused_and_nothing_stored(dossier, user, storage_root):
    with pytest.raises(AttachmentRefused) as excinfo:
        attachment_upload(
            dossier_id=dossier.pk, uploaded_file=upload("begroting.pdf", EXE), kind=AttachmentKind.OTHER, actor=user
        )

    assert refused_code(excinfo) == "type_not_allowed"
    assert "PDF" in excinfo.value.message
    assert stored_files(storage_root) == []
    assert not Attachment.objects.exists()
    assert not AuditEvent.objects.filter(action="attachment.uploaded").exists()
    dossier.refresh_from_db()
    assert dossier.section_version(DossierSection.ATTACHMENTS) == 0


@pytest.mark.parametrize(
    ("kind", "name", "content", "allowed"),
    [
        (AttachmentKind.BUDGET_TEMPLATE, "begroting.pdf", pdf_bytes(), ("XLSX", "ODS")),
        (AttachmentKind.MANDATE_LETTERS, "mandaten.xlsx", xlsx_bytes(), ("PDF",)),
        (AttachmentKind.OTHER, "bijlage.docx", docx_bytes(), ("PDF",)),
        (AttachmentKind.BUDGET_TEMPLATE, "begroting.xlsx", docx_bytes(), ("XLSX", "ODS")),
    ],
    ids=["pdf-as-budget", "xlsx-as-letters", "docx-as-other", "docx-named-xlsx"],
)
def test_upload_of_type_not_allowed_for_kind_is_refused(dossier, user, storage_root, kind, name, content, allowed):
    with pytest.raises(AttachmentRefused) as excinfo:
        attachment_upload(dossier_id=dossier.pk, uploaded_file=upload(name, content), kind=kind, actor=user)

    assert refused_code(excinfo) == "type_not_allowed"
    for label in allowed:  # the message says what would have been accepted
        assert label in excinfo.value.message
    assert stored_files(storage_root) == []
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(
    ("kind", "content", "code"),
    [
        (AttachmentKind.MANDATE_LETTERS, hostile_pdf("open-action-javascript"), "pdf_javascript"),
        (AttachmentKind.OTHER, hostile_pdf("embedded-file"), "pdf_embedded"),
        (AttachmentKind.OTHER, PDF_SIGNATURE_HTML, "pdf_unreadable"),
        (
            AttachmentKind.BUDGET_TEMPLATE,
            xlsx_bytes(
                parts={"xl/gegevens.dat": OLE_SIGNATURE + bytes(504)},
                overrides={"xl/gegevens.dat": "application/vnd.ms-office.vbaProject"},
            ),
            "workbook_macros",
        ),
        (AttachmentKind.BUDGET_TEMPLATE, xlsx_bytes(parts={"xl/worksheets/sheet2.xml": bytes(20 * MB)}), "archive_ratio"),
        (AttachmentKind.BUDGET_TEMPLATE, xlsx_bytes(parts={f"xl/leeg/{n}": b"" for n in range(20_000)}), "archive_entries"),
    ],
    ids=["pdf-javascript", "pdf-embedded", "pdf-html", "xlsm-renamed", "zip-bomb", "20000-entries"],
)
def test_upload_with_active_content_is_refused_and_the_dossier_left_as_it_was(dossier, user, storage_root, kind, content, code):
    kept = attachment_upload(
        dossier_id=dossier.pk, uploaded_file=upload("eerder.pdf", pdf_bytes()), kind=AttachmentKind.OTHER, actor=user
    )
    dossier.refresh_from_db()
    before = (dossier.section_versions, dossier.updated_at, stored_files(storage_root), AuditEvent.objects.count())

    with pytest.raises(AttachmentRefused) as excinfo:
        attachment_upload(dossier_id=dossier.pk, uploaded_file=upload("bijlage", content), kind=kind, actor=user)

    assert refused_code(excinfo) == code
    dossier.refresh_from_db()
    assert (dossier.section_versions, dossier.updated_at, stored_files(storage_root), AuditEvent.objects.count()) == before
    assert list(Attachment.objects.all()) == [kept]


def test_upload_of_empty_file_is_refused(dossier, user, storage_root):
    with pytest.raises(AttachmentRefused) as excinfo:
        attachment_upload(dossier_id=dossier.pk, uploaded_file=upload("leeg.pdf", b""), kind=AttachmentKind.OTHER, actor=user)

    assert refused_code(excinfo) == "empty"
    assert stored_files(storage_root) == []


def test_upload_of_unknown_kind_is_refused(dossier, user, storage_root):
    with pytest.raises(AttachmentRefused) as excinfo:
        attachment_upload(dossier_id=dossier.pk, uploaded_file=upload("x.pdf", pdf_bytes()), kind="budget.pdf", actor=user)

    assert refused_code(excinfo) == "invalid_kind"
    assert stored_files(storage_root) == []


def test_upload_over_the_size_per_file_is_refused(call, dossier, user, storage_root):
    call.max_attachment_mb = 1
    call.save(update_fields=["max_attachment_mb"])

    with pytest.raises(AttachmentRefused) as excinfo:
        attachment_upload(
            dossier_id=dossier.pk, uploaded_file=upload("groot.pdf", pdf_bytes(MB + 1)), kind=AttachmentKind.OTHER, actor=user
        )

    assert refused_code(excinfo) == "too_large"
    assert stored_files(storage_root) == []
    assert not Attachment.objects.exists()


def test_upload_of_exactly_the_size_per_file_is_accepted(call, dossier, user, storage_root):
    call.max_attachment_mb = 1
    call.save(update_fields=["max_attachment_mb"])

    attachment = attachment_upload(
        dossier_id=dossier.pk, uploaded_file=upload("precies.pdf", pdf_bytes(MB)), kind=AttachmentKind.OTHER, actor=user
    )

    assert attachment.size == MB


def test_upload_beyond_the_dossier_total_is_refused_and_at_the_total_accepted(call, dossier, user, storage_root):
    call.max_attachment_mb = 1
    call.max_dossier_attachments_mb = 2
    call.save(update_fields=["max_attachment_mb", "max_dossier_attachments_mb"])
    attachment_upload(
        dossier_id=dossier.pk, uploaded_file=upload("een.pdf", pdf_bytes(MB)), kind=AttachmentKind.OTHER, actor=user
    )

    # Exactly at the total: 1 MB already stored + 1 MB = 2 MB.
    attachment_upload(
        dossier_id=dossier.pk, uploaded_file=upload("twee.pdf", pdf_bytes(MB)), kind=AttachmentKind.OTHER, actor=user
    )
    assert attachments_total_size(dossier) == 2 * MB

    with pytest.raises(AttachmentRefused) as excinfo:
        attachment_upload(
            dossier_id=dossier.pk, uploaded_file=upload("drie.pdf", pdf_bytes(1000)), kind=AttachmentKind.OTHER, actor=user
        )
    assert refused_code(excinfo) == "dossier_too_large"
    assert Attachment.objects.count() == 2
    assert len(stored_files(storage_root)) == 2


def test_upload_one_byte_beyond_the_dossier_total_is_refused(call, dossier, user, storage_root):
    call.max_attachment_mb = 1
    call.max_dossier_attachments_mb = 1
    call.save(update_fields=["max_attachment_mb", "max_dossier_attachments_mb"])
    attachment_upload(
        dossier_id=dossier.pk, uploaded_file=upload("een.pdf", pdf_bytes(MB - 1000)), kind=AttachmentKind.OTHER, actor=user
    )

    with pytest.raises(AttachmentRefused) as excinfo:
        attachment_upload(
            dossier_id=dossier.pk, uploaded_file=upload("twee.pdf", pdf_bytes(1001)), kind=AttachmentKind.OTHER, actor=user
        )
    assert refused_code(excinfo) == "dossier_too_large"

    attachment_upload(
        dossier_id=dossier.pk, uploaded_file=upload("twee.pdf", pdf_bytes(1000)), kind=AttachmentKind.OTHER, actor=user
    )
    assert attachments_total_size(dossier) == MB


def test_upload_after_the_deadline_is_refused_and_nothing_written(call, dossier, user, storage_root):
    with time_machine.travel(call.dossier_deadline + timedelta(seconds=1), tick=False), pytest.raises(DeadlinePassed) as excinfo:
        attachment_upload(
            dossier_id=dossier.pk, uploaded_file=upload("laat.pdf", pdf_bytes()), kind=AttachmentKind.OTHER, actor=user
        )

    assert excinfo.value.code == "deadline_passed"
    assert stored_files(storage_root) == []
    assert not Attachment.objects.exists()


def test_upload_at_the_deadline_instant_is_refused(call, dossier, user, storage_root):
    # "12u" means 12:00:00.000: at that instant the dossier is late (DESIGN.md §2).
    with time_machine.travel(call.dossier_deadline, tick=False), pytest.raises(DeadlinePassed):
        attachment_upload(
            dossier_id=dossier.pk, uploaded_file=upload("laat.pdf", pdf_bytes()), kind=AttachmentKind.OTHER, actor=user
        )

    assert stored_files(storage_root) == []


def test_upload_to_dossier_of_withdrawn_preregistration_is_refused(dossier, user, storage_root):
    PreRegistration.objects.filter(pk=dossier.preregistration_id).update(state="withdrawn")

    with pytest.raises(DossierLocked) as excinfo:
        attachment_upload(
            dossier_id=dossier.pk, uploaded_file=upload("x.pdf", pdf_bytes()), kind=AttachmentKind.OTHER, actor=user
        )

    assert excinfo.value.code == "dossier_locked"
    assert stored_files(storage_root) == []


def test_upload_that_fails_after_writing_removes_the_file(dossier, storage_root):
    # An actor that was never saved makes creating the row fail after the file was
    # written: a real failure at the worst moment, without mocking anything.
    unsaved_actor = UserFactory.build()

    with pytest.raises(ValueError, match="unsaved"):
        attachment_upload(
            dossier_id=dossier.pk, uploaded_file=upload("x.pdf", pdf_bytes()), kind=AttachmentKind.OTHER, actor=unsaved_actor
        )

    assert stored_files(storage_root) == []
    assert not Attachment.objects.exists()


def test_upload_hashes_a_large_file_streamed_in_chunks(call, dossier, user, storage_root):
    content = pdf_bytes(3 * MB + 12345)  # several chunks of 64 KiB, and a ragged end
    attachment = attachment_upload(
        dossier_id=dossier.pk, uploaded_file=upload("groot.pdf", content), kind=AttachmentKind.OTHER, actor=user
    )

    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert attachment.size == len(content)
    assert stored_files(storage_root)[0].read_bytes() == content


def test_upload_of_a_file_spooled_to_disk(dossier, user, storage_root):
    # Uploads above FILE_UPLOAD_MAX_MEMORY_SIZE arrive as temporary files, which
    # FileSystemStorage would otherwise move into place without them being hashed.
    content = pdf_bytes(3 * MB)
    spooled = TemporaryUploadedFile("groot.pdf", "application/pdf", len(content), None)
    spooled.write(content)
    spooled.seek(0)
    try:
        attachment = attachment_upload(dossier_id=dossier.pk, uploaded_file=spooled, kind=AttachmentKind.OTHER, actor=user)
    finally:
        spooled.close()

    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert attachment.size == len(content)
    assert stored_files(storage_root)[0].read_bytes() == content


# --- delete ----------------------------------------------------------------------------------


def test_delete_removes_row_and_file(dossier, user, storage_root, django_capture_on_commit_callbacks):
    attachment = attachment_upload(
        dossier_id=dossier.pk, uploaded_file=upload("weg.pdf", pdf_bytes()), kind=AttachmentKind.OTHER, actor=user
    )
    [path] = stored_files(storage_root)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        attachment_delete(dossier_id=dossier.pk, attachment_id=attachment.pk, actor=user)
    # The row is gone at once; the file only once the deletion is committed, so a
    # rollback could never leave a row without its file.
    assert not Attachment.objects.exists()
    assert path.exists()
    for callback in callbacks:
        callback()

    assert stored_files(storage_root) == []
    dossier.refresh_from_db()
    assert dossier.section_version(DossierSection.ATTACHMENTS) == 2
    event = AuditEvent.objects.get(action="attachment.deleted")
    assert event.object_id == str(attachment.pk)
    assert event.data["sha256"] == attachment.sha256


def test_delete_of_another_dossiers_attachment_is_refused(dossier, user, storage_root):
    other_call = CallFactory()
    other_org = OrganisationFactory(owner=UserFactory())
    other_pr = PreRegistrationFactory(call=other_call, organisation=other_org, complete=True)
    PreRegistration.objects.filter(pk=other_pr.pk).update(state="submitted")
    other = dossier_for(call=other_call, organisation=other_org)
    foreign = attachment_upload(
        dossier_id=other.pk, uploaded_file=upload("x.pdf", pdf_bytes()), kind=AttachmentKind.OTHER, actor=user
    )

    with pytest.raises(Attachment.DoesNotExist):
        attachment_delete(dossier_id=dossier.pk, attachment_id=foreign.pk, actor=user)

    assert Attachment.objects.filter(pk=foreign.pk).exists()
    assert len(stored_files(storage_root)) == 1


def test_delete_after_the_deadline_is_refused(call, dossier, user, storage_root):
    attachment = attachment_upload(
        dossier_id=dossier.pk, uploaded_file=upload("blijft.pdf", pdf_bytes()), kind=AttachmentKind.OTHER, actor=user
    )

    with time_machine.travel(call.dossier_deadline, tick=False), pytest.raises(DeadlinePassed):
        attachment_delete(dossier_id=dossier.pk, attachment_id=attachment.pk, actor=user)

    assert Attachment.objects.filter(pk=attachment.pk).exists()
    assert len(stored_files(storage_root)) == 1
