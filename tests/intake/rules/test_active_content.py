"""Active content in files of an accepted type (intake.rules.active_content): judged by the
structure pypdf and the package metadata show, never by a part's name; every refusal
says why, in Dutch."""

import io

import pytest

from intake.kernel.errors import AttachmentRefused
from intake.rules.active_content import refuse_active_content
from intake.rules.files import ODS, PDF, XLSX, detect_type
from tests.intake.file_helpers import OLE_SIGNATURE, odf_bytes, pdf_bytes, xlsx_bytes
from tests.intake.pdf_builders import HARMLESS_PDFS, HOSTILE_PDFS, PDF_SIGNATURE_HTML, hostile_pdf

VBA_PROJECT = "application/vnd.ms-office.vbaProject"


PRINTER_SETTINGS = "application/vnd.openxmlformats-officedocument.spreadsheetml.printerSettings"


VBA_PART = OLE_SIGNATURE + b"\x00" * 504


def refusal(content: bytes) -> AttachmentRefused | None:
    """What the upload path does: the type by content, then its active content."""
    file = io.BytesIO(content)
    content_type = detect_type(content[:64], file)
    assert content_type is not None, "the hostile file must pass as its type first"
    try:
        refuse_active_content(content_type, file)
    except AttachmentRefused as exc:
        assert file.tell() == 0  # the caller stores the file afterwards
        return exc
    assert file.tell() == 0
    return None


# --- PDF --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(HOSTILE_PDFS))
def test_a_pdf_with_active_content_is_refused_with_the_reason(name):
    exc = refusal(hostile_pdf(name))

    assert exc is not None
    assert exc.code == HOSTILE_PDFS[name][1]


@pytest.mark.parametrize("name", list(HARMLESS_PDFS))
def test_an_ordinary_pdf_is_accepted(name):
    assert refusal(pdf_bytes(change=HARMLESS_PDFS[name])) is None


def test_the_javascript_refusal_says_so_in_dutch():
    exc = refusal(hostile_pdf("open-action-javascript"))

    assert exc.message.startswith("Dit PDF-bestand bevat JavaScript;")
    assert "Afdrukken naar PDF" in exc.message


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (PDF_SIGNATURE_HTML, "pdf_unreadable"),
        (b"%PDF-1.7\n" + b"\x00" * 2000, "pdf_unreadable"),
        # A catalog without pages is nothing a reviewer could read.
        (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n", "pdf_unreadable"),
    ],
    ids=["html-after-signature", "signature-then-nothing", "catalog-without-pages"],
)
def test_a_file_that_only_starts_like_a_pdf_is_refused(content, code):
    assert detect_type(content[:64], io.BytesIO(content)) == PDF

    exc = refusal(content)

    assert exc.code == code
    assert exc.message.startswith("Dit bestand begint als een PDF-bestand, maar de rest is geen leesbare PDF.")


def test_a_pdf_behind_a_password_is_refused():
    exc = refusal(hostile_pdf("user-password"))

    assert "wachtwoord" in exc.message


# --- workbooks -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (xlsx_bytes(macros=True), "workbook_macros"),
        # The case: the VBA project renamed; its content type still says what it is.
        (xlsx_bytes(parts={"xl/gegevens.dat": VBA_PART}, overrides={"xl/gegevens.dat": VBA_PROJECT}), "workbook_macros"),
        (xlsx_bytes(parts={"xl/media/image1.png": VBA_PART}, defaults={"png": VBA_PROJECT}), "workbook_macros"),
        (xlsx_bytes(main_type="application/vnd.ms-excel.sheet.macroEnabled.main+xml"), "workbook_macros"),
        (
            xlsx_bytes(
                parts={"xl/macrosheets/sheet1.xml": b"<xm:macrosheet/>"},
                overrides={"xl/macrosheets/sheet1.xml": "application/vnd.ms-excel.macrosheet+xml"},
            ),
            "workbook_macros",
        ),
        # Renamed and undeclared: the part's own signature says it is an OLE file.
        (xlsx_bytes(parts={"xl/printerSettings/instellingen.bin": VBA_PART}), "workbook_objects"),
        (
            xlsx_bytes(
                parts={"xl/activeX/activeX1.xml": b"<ax:ocx/>"},
                overrides={"xl/activeX/activeX1.xml": "application/vnd.ms-office.activeX+xml"},
            ),
            "workbook_objects",
        ),
        (odf_bytes(parts={"Basic/Standard/Module1.xml": b"<script:module/>"}), "workbook_macros"),
        (odf_bytes(parts={"Scripts/python/opstart.py": b"import os"}), "workbook_macros"),
        (
            odf_bytes(
                content='<?xml version="1.0"?><office:document-content><office:event-listeners>'
                '<script:event-listener xlink:href="vnd.sun.star.script:LibreLogo|LibreLogo.py$run?language=Python&amp;'
                'location=share"/></office:event-listeners></office:document-content>'
            ),
            "workbook_macros",
        ),
        (odf_bytes(parts={"Object 1": VBA_PART}), "workbook_objects"),
    ],
    ids=[
        "xlsm",
        "vba-renamed-override",
        "vba-renamed-default",
        "macro-enabled-main",
        "excel4-macro-sheet",
        "ole-part-undeclared",
        "activex",
        "ods-basic",
        "ods-scripts",
        "ods-event-script",
        "ods-ole-object",
    ],
)
def test_a_workbook_with_macros_or_objects_is_refused(content, code):
    exc = refusal(content)

    assert exc is not None
    assert exc.code == code


def test_the_macro_refusal_says_so_in_dutch():
    exc = refusal(xlsx_bytes(macros=True))

    assert exc.message.startswith("Dit rekenblad bevat macro's of scripts;")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (xlsx_bytes(), XLSX),
        # Printer settings are binary but no OLE file; a VBA type declared for an extension no part has is harmless.
        (
            xlsx_bytes(
                parts={"xl/printerSettings/printerSettings1.bin": b"\x00\x01DEVMODE"},
                defaults={"bin": PRINTER_SETTINGS, "vba": VBA_PROJECT},
            ),
            XLSX,
        ),
        (odf_bytes(), ODS),
    ],
    ids=["xlsx", "xlsx-printer-settings", "ods"],
)
def test_an_ordinary_workbook_is_accepted(content, expected):
    assert detect_type(content[:64], io.BytesIO(content)) == expected
    assert refusal(content) is None


def test_a_workbook_written_by_openpyxl_is_accepted():
    from openpyxl import Workbook  # noqa: PLC0415 -- only this test writes a workbook the way a spreadsheet program does

    workbook = Workbook()
    workbook.active.append(["Personeelskosten", 120000, "=B1*2"])
    buffer = io.BytesIO()
    workbook.save(buffer)

    assert refusal(buffer.getvalue()) is None
