"""Attachments of the full dossier: type by content, size limits, safe names, private
storage that never keeps a refused or rolled-back file, and a download response that
browsers can neither sniff nor cache."""

import hashlib
import io
import zipfile
from datetime import timedelta
from urllib.parse import quote

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile

from intake.kernel.enums import AttachmentKind, DossierSection
from intake.kernel.errors import AttachmentRefused, DeadlinePassed, DossierLocked
from intake.models import Attachment, AuditEvent, PreRegistration
from intake.rules.files import ALLOWED_TYPES, ODS, PDF, XLSX, detect_type, sanitise_filename
from intake.selectors.dossiers import attachments_total_size
from intake.services.attachments import attachment_delete, attachment_upload
from intake.services.dossiers import dossier_for
from intake.web.files import attachment_response
from tests.factories import CallFactory, OrganisationFactory, PreRegistrationFactory, UserFactory

MB = 1024 * 1024

# --- fixture files, generated so that every byte is known ------------------------------------


def pdf_bytes(size: int | None = None) -> bytes:
    """A minimal PDF; with ``size``, padded with a comment to exactly that many bytes."""
    start, end = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%", b"\n%%EOF\n"
    if size is None:
        return start + b"minimal" + end
    return start + b"x" * (size - len(start) - len(end)) + end


def xlsx_bytes(*, macros: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        archive.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook/>')
        archive.writestr("xl/worksheets/sheet1.xml", '<?xml version="1.0"?><worksheet/>')
        if macros:
            archive.writestr("xl/vbaProject.bin", b"\x00VBA")
    return buffer.getvalue()


def odf_bytes(mimetype: str = ODS, *, mimetype_first: bool = True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if mimetype_first:
            archive.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", '<?xml version="1.0"?><office:document-content/>')
        archive.writestr("META-INF/manifest.xml", '<?xml version="1.0"?><manifest:manifest/>')
        if not mimetype_first:
            archive.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", '<?xml version="1.0"?><w:document/>')
    return buffer.getvalue()


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"This program cannot be run in DOS mode."


def upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    # The browser-sent type is deliberately wrong in several tests: it must not matter.
    return SimpleUploadedFile(name, content, content_type=content_type)


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture
def storage_root(settings, tmp_path):
    root = tmp_path / "private"
    root.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(root)}},
    }
    return root


def stored_files(root) -> list:
    return sorted(path for path in root.rglob("*") if path.is_file())


@pytest.fixture
def call(db):
    return CallFactory()


@pytest.fixture
def dossier(call, user):
    organisation = OrganisationFactory(owner=user)
    preregistration = PreRegistrationFactory(call=call, organisation=organisation, complete=True)
    PreRegistration.objects.filter(pk=preregistration.pk).update(state="submitted")
    return dossier_for(call=call, organisation=organisation)


def refused_code(excinfo) -> str:
    return excinfo.value.code


# --- content sniffing ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (pdf_bytes(), PDF),
        (xlsx_bytes(), XLSX),
        (odf_bytes(), ODS),
        (EXE, None),
        (docx_bytes(), None),
        (b"Begroting 2026; totaal 450000\n", None),
        (b"", None),
        (odf_bytes("application/vnd.oasis.opendocument.text"), None),
        (odf_bytes(mimetype_first=False), None),
        (xlsx_bytes(macros=True), None),
        (b"PK\x03\x04 not really a zip archive", None),
        (b" %PDF-1.4 leading space", None),
    ],
    ids=["pdf", "xlsx", "ods", "exe", "docx", "text", "empty", "odt", "ods-mimetype-last", "xlsm", "broken-zip", "pdf-offset"],
)
def test_detect_type_by_content(content, expected):
    file = io.BytesIO(content)
    file.seek(3 if content else 0)
    assert detect_type(content[:64], file) == expected
    # Detection must not move the file: the caller stores it afterwards.
    assert file.tell() == (3 if content else 0)


# --- file names ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content_type", "expected"),
    [
        ("../../etc/passwd", None, "passwd"),
        ("../../etc/passwd", PDF, "passwd.pdf"),
        ("C:\\Users\\x\\doc.pdf", PDF, "doc.pdf"),
        ("mandaat\x00brief\x07.pdf", PDF, "mandaatbrief.pdf"),
        ("Begroting\t2026\r\n  v2.xlsx", XLSX, "Begroting 2026 v2.xlsx"),
        ("rapport\u202egpj.pdf", PDF, "rapportgpj.pdf"),  # right-to-left override: a classic disguise
        ("", None, "bijlage"),
        ("", PDF, "bijlage.pdf"),
        ("...", PDF, "bijlage.pdf"),
        (".pdf", PDF, "bijlage.pdf"),
        ("..hidden.pdf", PDF, "hidden.pdf"),
        ("rapport.PDF.exe", PDF, "rapport.pdf"),
        ("begroting.xls", XLSX, "begroting.xlsx"),
        ("begroting.xlsx", ODS, "begroting.ods"),
        ("BEGROTING.XLSX", XLSX, "BEGROTING.xlsx"),
        ("verslag", PDF, "verslag.pdf"),
        ("Begroting Zuid-Oost Vlaanderen é.xlsx", XLSX, "Begroting Zuid-Oost Vlaanderen é.xlsx"),
        ("Ｂｅｇｒｏｔｉｎｇ ﬁnaal.pdf", PDF, "Begroting finaal.pdf"),  # NFKC: full-width letters, ligature
        ("e\u0301tude (v2) a_b-c.pdf", PDF, "étude (v2) a_b-c.pdf"),  # decomposed accent composed by NFKC
        ('rapport<>:"|?*;$`&.pdf', PDF, "rapport.pdf"),
    ],
)
def test_sanitise_filename(name, content_type, expected):
    assert sanitise_filename(name, content_type=content_type) == expected


def test_sanitise_filename_limits_length_and_keeps_the_extension():
    long_name = "a" * 300 + ".pdf"
    result = sanitise_filename(long_name, content_type=PDF)
    assert len(result) == 120
    assert result == "a" * 116 + ".pdf"
    assert sanitise_filename("b" * 300) == "b" * 120


def test_sanitise_filename_keeps_multibyte_names_within_file_system_limits():
    # 120 characters of 2 or 3 UTF-8 bytes each would exceed the 255-byte limit of a
    # file name on disk once the 33-character unique prefix is added.
    for char in ("é", "预"):
        result = sanitise_filename(char * 300 + ".xlsx", content_type=XLSX)
        assert result.endswith(".xlsx")
        assert len(result) <= 120
        assert len(result.encode("utf-8")) <= 200
        assert len(f"{'0' * 32}-{result}".encode()) <= 255


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
        (AttachmentKind.BUDGET_TEMPLATE, "begroting.xlsm", xlsx_bytes(macros=True), ("XLSX", "ODS")),
    ],
    ids=["pdf-as-budget", "xlsx-as-letters", "docx-as-other", "docx-named-xlsx", "xlsm"],
)
def test_upload_of_type_not_allowed_for_kind_is_refused(dossier, user, storage_root, kind, name, content, allowed):
    with pytest.raises(AttachmentRefused) as excinfo:
        attachment_upload(dossier_id=dossier.pk, uploaded_file=upload(name, content), kind=kind, actor=user)

    assert refused_code(excinfo) == "type_not_allowed"
    for label in allowed:  # the message says what would have been accepted
        assert label in excinfo.value.message
    assert stored_files(storage_root) == []
    assert not Attachment.objects.exists()


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
            dossier_id=dossier.pk, uploaded_file=upload("drie.pdf", pdf_bytes(100)), kind=AttachmentKind.OTHER, actor=user
        )
    assert refused_code(excinfo) == "dossier_too_large"
    assert Attachment.objects.count() == 2
    assert len(stored_files(storage_root)) == 2


def test_upload_one_byte_beyond_the_dossier_total_is_refused(call, dossier, user, storage_root):
    call.max_attachment_mb = 1
    call.max_dossier_attachments_mb = 1
    call.save(update_fields=["max_attachment_mb", "max_dossier_attachments_mb"])
    attachment_upload(
        dossier_id=dossier.pk, uploaded_file=upload("een.pdf", pdf_bytes(MB - 100)), kind=AttachmentKind.OTHER, actor=user
    )

    with pytest.raises(AttachmentRefused) as excinfo:
        attachment_upload(
            dossier_id=dossier.pk, uploaded_file=upload("twee.pdf", pdf_bytes(101)), kind=AttachmentKind.OTHER, actor=user
        )
    assert refused_code(excinfo) == "dossier_too_large"

    attachment_upload(
        dossier_id=dossier.pk, uploaded_file=upload("twee.pdf", pdf_bytes(100)), kind=AttachmentKind.OTHER, actor=user
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


def test_attachments_total_size_is_one_query(dossier, user, storage_root, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert attachments_total_size(dossier) == 0
    for name in ("a.pdf", "b.pdf", "c.pdf"):
        attachment_upload(
            dossier_id=dossier.pk, uploaded_file=upload(name, pdf_bytes(1000)), kind=AttachmentKind.OTHER, actor=user
        )
    with django_assert_num_queries(1):
        assert attachments_total_size(dossier) == 3000


# --- download --------------------------------------------------------------------------------


def test_attachment_response_headers_for_an_accented_name(dossier, user, storage_root):
    content = xlsx_bytes()
    attachment = attachment_upload(
        dossier_id=dossier.pk,
        uploaded_file=upload("Begroting Zuid-Oost Vlaanderen é.xlsx", content),
        kind=AttachmentKind.BUDGET_TEMPLATE,
        actor=user,
    )

    response = attachment_response(attachment)
    try:
        body = b"".join(response.streaming_content)
    finally:
        response.close()

    assert body == content
    assert response["Content-Disposition"] == (
        "attachment; "
        'filename="Begroting Zuid-Oost Vlaanderen e.xlsx"; '
        "filename*=UTF-8''Begroting%20Zuid-Oost%20Vlaanderen%20%C3%A9.xlsx"
    )
    assert response["Content-Type"] == XLSX
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Length"] == str(len(content))


@pytest.mark.parametrize(
    ("name", "ascii_fallback"),
    [
        ("Mandaatbrieven.pdf", "Mandaatbrieven.pdf"),
        ("预算.pdf", "bijlage.pdf"),
        ("Ærø (ﬁnaal).pdf", "r (finaal).pdf"),
    ],
)
def test_attachment_response_always_has_both_filename_forms(dossier, user, storage_root, name, ascii_fallback):
    attachment = attachment_upload(
        dossier_id=dossier.pk, uploaded_file=upload(name, pdf_bytes()), kind=AttachmentKind.OTHER, actor=user
    )

    response = attachment_response(attachment)
    response.close()

    assert response["Content-Disposition"] == (
        f"attachment; filename=\"{ascii_fallback}\"; filename*=UTF-8''{quote(attachment.original_name, safe='')}"
    )
    assert response["Content-Type"] == PDF


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


def test_allowed_types_cover_every_kind():
    assert set(ALLOWED_TYPES) == set(AttachmentKind.values)


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
