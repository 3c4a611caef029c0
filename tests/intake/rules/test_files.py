"""What an attachment is, read from its content, and the safe file name it is stored under
(intake.rules.files)."""

import io
import os
import struct
import zipfile

import pytest

from intake.kernel.enums import AttachmentKind
from intake.kernel.errors import AttachmentRefused
from intake.rules.files import ALLOWED_TYPES, ODS, PDF, XLSX, detect_type, sanitise_filename
from tests.intake.file_helpers import EXE, MB, docx_bytes, odf_bytes, pdf_bytes, xlsx_bytes

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
        # A workbook, whose macros intake.rules.active_content refuses with its own message.
        (xlsx_bytes(macros=True), XLSX),
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


# --- archive bounds, before anything is decompressed --------------------------------------


def _archive(parts: dict[str, bytes], *, with_workbook: bool = True) -> bytes:
    if with_workbook:
        return xlsx_bytes(parts=parts)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _refusal_code(content: bytes) -> str:
    with pytest.raises(AttachmentRefused) as excinfo:
        detect_type(content[:64], io.BytesIO(content))
    return excinfo.value.code


def test_a_zip_bomb_is_refused_by_its_compression_ratio():
    # The bomb: some 20 KB that unpacks to 20 MB, inside an otherwise real workbook.
    content = _archive({"xl/worksheets/sheet2.xml": b"\x00" * (20 * MB)})
    assert len(content) < 40 * 1024

    with pytest.raises(AttachmentRefused) as excinfo:
        detect_type(content[:64], io.BytesIO(content))

    assert excinfo.value.code == "archive_ratio"
    assert "zipbom" in excinfo.value.message


def test_an_archive_larger_than_the_bound_unpacked_is_refused(settings):
    settings.UPLOAD_ARCHIVE_MAX_UNCOMPRESSED_MB = 1
    # Incompressible, so the ratio is 1: only the total says no.
    content = _archive({"xl/media/image1.png": os.urandom(MB // 2), "xl/media/image2.png": os.urandom(MB // 2)})

    assert _refusal_code(content) == "archive_too_large"


def test_an_archive_within_the_bounds_is_a_workbook(settings):
    settings.UPLOAD_ARCHIVE_MAX_UNCOMPRESSED_MB = 2
    # A part that deflates more than 100 times but is below a megabyte unpacked harms nobody.
    content = _archive({"xl/media/image1.png": os.urandom(MB), "xl/styles.xml": b" " * (900 * 1024)})

    assert detect_type(content[:64], io.BytesIO(content)) == XLSX


def test_an_archive_with_20000_entries_is_refused_by_its_end_record():
    content = _archive({f"xl/leeg/{n}.xml": b"" for n in range(20_000)})

    assert _refusal_code(content) == "archive_entries"


def test_the_entry_count_is_read_before_the_directory_is_parsed():
    # The end record claims 20,000 entries, the directory is garbage: refused for the count,
    # which only the end record can have told, so zipfile never parsed an entry.
    content = _archive({"xl/workbook.xml": b"<workbook/>"}, with_workbook=False)
    end = content.rindex(b"PK\x05\x06")
    directory_offset = struct.unpack("<L", content[end + 16 : end + 20])[0]
    garbage = content[:directory_offset] + b"\xff" * (end - directory_offset) + content[end:]
    claims = garbage[: end + 8] + struct.pack("<HH", 20_000, 20_000) + garbage[end + 12 :]

    assert _refusal_code(claims) == "archive_entries"
    assert detect_type(garbage[:64], io.BytesIO(garbage)) is None  # the same garbage, honestly counted: no workbook


def test_an_end_record_that_understates_the_entries_is_caught_by_the_directory_size():
    content = _archive({f"xl/leeg/{n}.xml": b"" for n in range(20_000)})
    end = content.rindex(b"PK\x05\x06")
    lying = content[: end + 8] + struct.pack("<HH", 5, 5) + content[end + 12 :]

    assert _refusal_code(lying) == "archive_entries"


def test_the_bounds_are_settings(settings):
    content = _archive({f"xl/leeg/{n}.xml": b"" for n in range(10)})
    assert detect_type(content[:64], io.BytesIO(content)) == XLSX

    settings.UPLOAD_ARCHIVE_MAX_ENTRIES = 10

    assert _refusal_code(content) == "archive_entries"


@pytest.mark.parametrize(
    "content_types",
    [
        '<?xml version="1.0"?><!DOCTYPE Types [<!ENTITY a "aaaaaaaa">]><Types>&a;</Types>',
        "<Types><Override PartName=",
    ],
    ids=["dtd", "broken-xml"],
)
def test_a_package_whose_metadata_does_not_parse_is_no_workbook(content_types):
    content = _archive(
        {"[Content_Types].xml": content_types.encode(), "_rels/.rels": b"<Relationships/>", "xl/workbook.xml": b"<w/>"},
        with_workbook=False,
    )

    assert detect_type(content[:64], io.BytesIO(content)) is None
