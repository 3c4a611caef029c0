"""Files for the attachment, dossier and receipt tests: documents generated so that every
byte is known, and the private storage they are written to."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

from intake.rules.files import ODS

MB = 1024 * 1024


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


def use_storage(settings, location) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(location)}},
    }


def stored_files(root) -> list:
    return sorted(path for path in root.rglob("*") if path.is_file())
