"""Files for the attachment, dossier and receipt tests: documents generated so that every
byte is known, and the private storage they are written to."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter

from intake.rules.files import ODS

MB = 1024 * 1024


def pdf_bytes(size: int | None = None, *, text: str = "minimal", change=None) -> bytes:
    """A real one-page PDF written by pypdf, ``text`` in its metadata; ``change(writer)``
    may add what a test needs (a script, an attachment) before it is written. With
    ``size``, padded in the metadata to exactly that many bytes (at least ~500)."""

    def write(padding: int) -> bytes:
        writer = PdfWriter()
        writer.add_blank_page(595, 842)
        writer.add_metadata({"/Title": text, "/Subject": "x" * padding})
        if change is not None:
            change(writer)
        buffer = io.BytesIO()
        writer.write(buffer)
        return buffer.getvalue()

    data = write(0)
    if size is None:
        return data
    padding = 0
    while len(data) != size:
        # The offsets in the cross-reference section grow by a digit now and then: a few rounds.
        padding += size - len(data)
        if padding < 0:
            raise ValueError(f"a PDF cannot be as small as {size} bytes")
        data = write(padding)
    return data


CONTENT_TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"


RELATIONSHIPS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"


OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"


WORKBOOK_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


def content_types_xml(overrides: dict[str, str], defaults: dict[str, str] | None = None) -> str:
    defaults = {"rels": "application/vnd.openxmlformats-package.relationships+xml", "xml": "application/xml", **(defaults or {})}
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{CONTENT_TYPES_NS}">'
        + "".join(f'<Default Extension="{e}" ContentType="{t}"/>' for e, t in defaults.items())
        + "".join(f'<Override PartName="/{n}" ContentType="{t}"/>' for n, t in overrides.items())
        + "</Types>"
    )


def package_rels_xml(main: str = "xl/workbook.xml") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELATIONSHIPS_NS}">'
        f'<Relationship Id="rId1" Type="{OFFICE_DOCUMENT}" Target="{main}"/></Relationships>'
    )


def xlsx_bytes(
    *,
    macros: bool = False,
    main_type: str = WORKBOOK_MAIN,
    overrides: dict[str, str] | None = None,
    defaults: dict[str, str] | None = None,
    parts: dict[str, bytes] | None = None,
    marker: str = "begroting",
) -> bytes:
    """An OOXML workbook package as Excel lays it out: its content types, the package
    relationship to the workbook and one sheet; ``parts`` are added as they are, with
    ``overrides``/``defaults`` declaring their types. ``macros`` adds a VBA project."""
    overrides = {"xl/workbook.xml": main_type, **(overrides or {})}
    parts = dict(parts or {})
    if macros:
        overrides["xl/vbaProject.bin"] = "application/vnd.ms-office.vbaProject"
        parts["xl/vbaProject.bin"] = OLE_SIGNATURE + b"\x00" * 504
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types_xml(overrides, defaults))
        archive.writestr("_rels/.rels", package_rels_xml())
        archive.writestr("xl/workbook.xml", f'<?xml version="1.0"?><workbook name="{marker}"/>')
        archive.writestr("xl/worksheets/sheet1.xml", '<?xml version="1.0"?><worksheet/>')
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


# An OLE2 compound file starts with these bytes (MS-CFB §2.2): a VBA project, an embedded
# OLE object, an ActiveX control.
OLE_SIGNATURE = bytes.fromhex("d0cf11e0a1b11ae1")


OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


MANIFEST_NS = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"


def odf_bytes(
    mimetype: str = ODS,
    *,
    mimetype_first: bool = True,
    parts: dict[str, bytes] | None = None,
    content: str = f'<?xml version="1.0"?><office:document-content xmlns:office="{OFFICE_NS}"/>',
) -> bytes:
    """An ODF package: "mimetype" first and stored, content and manifest, and ``parts``
    (listed in the manifest too)."""
    parts = parts or {}
    entries = "".join(f'<manifest:file-entry manifest:full-path="{name}" manifest:media-type=""/>' for name in parts)
    manifest = (
        f'<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="{MANIFEST_NS}">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{mimetype}"/>'
        f'<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>{entries}'
        "</manifest:manifest>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if mimetype_first:
            archive.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", content)
        archive.writestr("META-INF/manifest.xml", manifest)
        for name, data in parts.items():
            archive.writestr(name, data)
        if not mimetype_first:
            archive.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    main = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types_xml({"word/document.xml": main}))
        archive.writestr("_rels/.rels", package_rels_xml("word/document.xml"))
        archive.writestr("word/document.xml", '<?xml version="1.0"?><document/>')
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
