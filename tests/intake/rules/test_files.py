"""What an attachment is, read from its content, and the safe file name it is stored under
(intake.rules.files)."""

import io

import pytest

from intake.kernel.enums import AttachmentKind
from intake.rules.files import ALLOWED_TYPES, ODS, PDF, XLSX, detect_type, sanitise_filename
from tests.intake.file_helpers import EXE, docx_bytes, odf_bytes, pdf_bytes, xlsx_bytes

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


def test_allowed_types_cover_every_kind():
    assert set(ALLOWED_TYPES) == set(AttachmentKind.values)


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
