"""Rules for uploaded files: the type is decided by the content (magic bytes and, for
spreadsheets, the package's own metadata inside a ZIP archive kept within bounds), never by
the name or the Content-Type the browser sent, both chosen by the uploader; sizes per file
and per dossier; safe file names and the Content-Disposition that carries them. What an
accepted type may not carry (scripts, macros) is intake.rules.active_content."""

import re
import struct
import unicodedata
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import quote
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as parse_xml
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from intake.kernel.enums import AttachmentKind
from intake.kernel.errors import AttachmentRefused

PDF = "application/pdf"


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


ODS = "application/vnd.oasis.opendocument.spreadsheet"


EXTENSIONS = {PDF: "pdf", XLSX: "xlsx", ODS: "ods"}


TYPE_LABELS = {PDF: "PDF", XLSX: "XLSX", ODS: "ODS"}


# The budget is the agency's spreadsheet template; letters and other documents are
# read and archived as they are, so PDF only.
ALLOWED_TYPES = {
    AttachmentKind.BUDGET_TEMPLATE: (XLSX, ODS),
    AttachmentKind.MANDATE_LETTERS: (PDF,),
    AttachmentKind.OTHER: (PDF,),
}


MB = 1024 * 1024


HEAD_BYTES = 64


FALLBACK_NAME = "bijlage"


MAX_NAME_CHARS = 120


# A path component may be at most 255 bytes on ext4, XFS and most other file systems; the
# stored name is "<32 hex>-<name>", so a name of 120 accented or CJK characters (2-4 bytes
# each in UTF-8) could otherwise not be written at all.
MAX_NAME_BYTES = 200


_EXTENSION_RE = re.compile(r"^[A-Za-z0-9]{1,10}$")


_ASCII_SAFE_RE = re.compile(r"[^A-Za-z0-9 ._()-]")

# --- archives (XLSX, ODS) ------------------------------------------------------------------

# Bytes of central directory allowed per entry: a 46-byte header plus a name and extra
# fields (a workbook's are some 30 and 0-30 bytes). zipfile parses the directory by its
# size, not by the entry count the end record declares, so the size is bounded too.
_DIRECTORY_BYTES_PER_ENTRY = 300


# A part smaller than this cannot hurt whatever its ratio (a short run of spaces deflates
# 50:1); the total bound covers many such parts together.
_RATIO_FLOOR_BYTES = MB


# The package metadata read to tell what an archive is: a few KB in any real workbook.
_MAX_METADATA_BYTES = MB


_EOCD = b"PK\x05\x06"


_EOCD_SIZE = 22


_ZIP64_LOCATOR = b"PK\x06\x07"


_ZIP64_EOCD = b"PK\x06\x06"


ARCHIVE_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    OSError,
    EOFError,
    ValueError,
    KeyError,
    NotImplementedError,
    RuntimeError,
    struct.error,
    ParseError,
    DefusedXmlException,
)


def _refuse_archive(code: str, message: str):
    fix = _("Save it again as an ordinary XLSX or ODS workbook and upload that.")
    raise AttachmentRefused(code, f"{message} {fix}")


def _directory_bounds(file) -> None:
    """The end record of a ZIP says how many entries its directory holds and how big it
    is: read from the file's last 64 KiB, before zipfile parses one entry (parsing 20,000
    entries is where a hostile archive spends the server's CPU)."""
    file.seek(0, 2)
    size = file.tell()
    tail_size = min(size, _EOCD_SIZE + 0xFFFF + 20)
    file.seek(size - tail_size)
    tail = file.read(tail_size)
    at = tail.rfind(_EOCD)
    if at < 0 or tail_size - at < _EOCD_SIZE:
        raise zipfile.BadZipFile("no end of central directory")
    _sig, _disk, _cd_disk, _on_disk, entries, directory_size, _offset, _comment = struct.unpack(
        "<4s4H2LH", tail[at : at + _EOCD_SIZE]
    )
    if at >= 20 and tail[at - 20 : at - 16] == _ZIP64_LOCATOR:
        _sig, _disk, record_offset, _disks = struct.unpack("<4sLQL", tail[at - 20 : at])
        file.seek(record_offset)
        record = file.read(56)
        if record[:4] != _ZIP64_EOCD:
            raise zipfile.BadZipFile("broken zip64 end record")
        entries, directory_size = struct.unpack("<QQ", record[32:48])
    limit = settings.UPLOAD_ARCHIVE_MAX_ENTRIES
    if entries > limit or directory_size > limit * _DIRECTORY_BYTES_PER_ENTRY:
        _refuse_too_many_entries(limit)


def _refuse_too_many_entries(limit: int):
    _refuse_archive(
        "archive_entries",
        _("This file is a ZIP archive with more than %(max)s parts; a workbook has at most a few dozen.") % {"max": limit},
    )


def _member_bounds(members: list[zipfile.ZipInfo]) -> None:
    """Number of entries, total size and compression ratio, as the directory declares
    them. zipfile never inflates an entry beyond its declared size (and fails on the
    CRC if the data says otherwise), so bounding what is declared bounds the work."""
    limit = settings.UPLOAD_ARCHIVE_MAX_ENTRIES
    if len(members) > limit:
        _refuse_too_many_entries(limit)
    total = sum(member.file_size for member in members)
    max_mb = settings.UPLOAD_ARCHIVE_MAX_UNCOMPRESSED_MB
    if total > max_mb * MB:
        _refuse_archive(
            "archive_too_large",
            _("Unpacked, this file would be %(size)s; a workbook may be at most %(max)s MB unpacked.")
            % {"size": filesizeformat(total), "max": max_mb},
        )
    ratio = settings.UPLOAD_ARCHIVE_MAX_RATIO
    for member in members:
        if member.file_size >= _RATIO_FLOOR_BYTES and member.file_size > ratio * max(member.compress_size, 1):
            _refuse_archive(
                "archive_ratio",
                _(
                    "A part of this file is compressed more than %(ratio)s times (%(packed)s that unpacks to %(size)s): "
                    "that is how a ZIP bomb is made, not a workbook."
                )
                % {
                    "ratio": ratio,
                    "packed": filesizeformat(member.compress_size),
                    "size": filesizeformat(member.file_size),
                },
            )


@contextmanager
def open_archive(file):
    """The ZIP archive of ``file``, opened only once its directory is within the bounds of
    settings.UPLOAD_ARCHIVE_* (AttachmentRefused otherwise, with the reason)."""
    file.seek(0)
    _directory_bounds(file)
    file.seek(0)
    with zipfile.ZipFile(file) as archive:
        _member_bounds(archive.infolist())
        yield archive


def read_xml(archive, name: str):
    """A small metadata part of a package, parsed; ValueError if it is missing or too
    big, ParseError if it is no XML, DefusedXmlException if it declares a DTD (entities
    are how XML parsers are attacked, and package metadata never needs one)."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise ValueError(f"{name} missing") from None
    if info.file_size > _MAX_METADATA_BYTES:
        raise ValueError(f"{name} too large")
    return parse_xml(archive.read(info), forbid_dtd=True)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


@dataclass(frozen=True)
class ContentTypes:
    """An OOXML package's [Content_Types].xml (ECMA-376 part 2, §10.1.2): the type of a
    part is its Override, else the Default of its extension. Part names compare
    case-insensitively."""

    defaults: dict[str, str]
    overrides: dict[str, str]

    def of(self, name: str) -> str:
        name = name.lstrip("/").lower()
        if name in self.overrides:
            return self.overrides[name]
        return self.defaults.get(name.rpartition(".")[2] if "." in name else "", "")


def content_types(archive) -> ContentTypes:
    defaults, overrides = {}, {}
    for element in read_xml(archive, "[Content_Types].xml"):
        kind, content_type = _local(element.tag), element.get("ContentType", "").strip().lower()
        if kind == "Default":
            defaults[element.get("Extension", "").lower()] = content_type
        elif kind == "Override":
            overrides[element.get("PartName", "").lstrip("/").lower()] = content_type
    return ContentTypes(defaults, overrides)


def _main_part(archive) -> str | None:
    """The part the package relationship "officeDocument" points at (transitional and
    strict OOXML spell that relationship type differently)."""
    for element in read_xml(archive, "_rels/.rels"):
        if (
            _local(element.tag) == "Relationship"
            and element.get("Type", "").endswith("/officeDocument")
            and element.get("TargetMode", "Internal") == "Internal"
        ):
            return element.get("Target", "").lstrip("/")
    return None


# The main part of a workbook; a macro-enabled one (.xlsm) is recognised as a workbook too,
# so that intake.rules.active_content can say it is refused for its macros.
SPREADSHEET_MAIN_TYPES = frozenset(
    {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        "application/vnd.ms-excel.sheet.macroenabled.main+xml",
    }
)


# --- content sniffing ---------------------------------------------------------------------


def detect_type(head: bytes, file) -> str | None:
    """The content type of ``file`` judged by its bytes, or None if it is none of the
    accepted types. ``head`` is the start of the file (at least 5 bytes); ``file`` is a
    seekable binary file object, used to look inside ZIP containers. Its position is put
    back to where it was. A ZIP archive beyond the bounds of settings.UPLOAD_ARCHIVE_*
    raises AttachmentRefused saying which, before anything in it is decompressed.
    What an accepted type may not contain is intake.rules.active_content."""
    if head.startswith(b"%PDF-"):
        return PDF
    if not head.startswith(b"PK\x03\x04"):
        return None
    position = file.tell()
    try:
        with open_archive(file) as archive:
            return _zip_type(archive)
    except ARCHIVE_ERRORS:
        # Whatever a hostile or broken archive makes zipfile raise, it is not a file we accept.
        return None
    finally:
        file.seek(position)


def _zip_type(archive) -> str | None:
    members = archive.infolist()
    if not members:
        return None
    first = members[0]
    # ODF (ISO/IEC 26300, part 3 §3.3): the first entry is "mimetype", stored, holding
    # the media type; header_offset == 0 checks that it is physically first, too.
    expected = ODS.encode("ascii")
    if first.filename == "mimetype" and first.header_offset == 0:
        if first.file_size == len(expected) and archive.read(first) == expected:
            read_xml(archive, "META-INF/manifest.xml")  # a package without a readable manifest is no ODF
            return ODS
        return None  # another ODF document (text, presentation): not a spreadsheet
    main = _main_part(archive)
    names = {member.filename.lower() for member in members}
    if main and main.lower() in names and content_types(archive).of(main) in SPREADSHEET_MAIN_TYPES:
        return XLSX
    return None


def allowed_types(kind: str) -> tuple[str, ...]:
    return ALLOWED_TYPES.get(kind, ())


# --- sizes -------------------------------------------------------------------------------


def check_file_size(*, size: int, max_mb: int) -> None:
    """One file's bounds: not empty, at most ``max_mb``. A dossier's attachments (the call's
    bound) and an organisation's evidence (settings.ORGANISATION_EVIDENCE_MAX_MB) both."""
    if size == 0:
        raise AttachmentRefused("empty", _("This file is empty. Choose the file again, or another file."))
    if size > max_mb * MB:
        raise AttachmentRefused(
            "too_large",
            _("This file is %(size)s; an attachment may be at most %(max)s MB.") % {"size": filesizeformat(size), "max": max_mb},
        )


def check_size(call, *, size: int, stored_total: int) -> None:
    check_file_size(size=size, max_mb=call.max_attachment_mb)
    if stored_total + size > call.max_dossier_attachments_mb * MB:
        raise AttachmentRefused(
            "dossier_too_large",
            _(
                "Together with the attachments already in the dossier (%(stored)s), this file (%(size)s) exceeds the "
                "maximum of %(max)s MB for all attachments. Remove an attachment or make this file smaller."
            )
            % {"stored": filesizeformat(stored_total), "size": filesizeformat(size), "max": call.max_dossier_attachments_mb},
        )


# --- file names --------------------------------------------------------------------------


def _is_safe_char(char: str) -> bool:
    if char in " .-_()":
        return True
    category = unicodedata.category(char)
    # Letters of any script (accents included, precomposed by NFKC) and decimal digits.
    return category.startswith("L") or category == "Nd"


def _truncate(stem: str, limit_chars: int, limit_bytes: int) -> str:
    stem = stem[:limit_chars]
    while len(stem.encode("utf-8")) > limit_bytes:
        stem = stem[:-1]
    return stem


def sanitise_filename(name: str, *, content_type: str | None = None) -> str:
    """A file name that is safe to store and to show: no directories, NFKC-normalised,
    only letters, digits, spaces and ``.-_()``, no leading dot, at most 120 characters
    (and 200 UTF-8 bytes), never empty. With ``content_type`` (one of the detected types)
    the extension is forced to match the content: "rapport.PDF.exe" with PDF content
    becomes "rapport.pdf"."""
    name = re.split(r"[/\\]", name or "")[-1]
    name = unicodedata.normalize("NFKC", name)
    # A tab or line break separated words: keep a space rather than gluing them together.
    name = "".join(" " if char.isspace() else char for char in name)
    name = "".join(char for char in name if _is_safe_char(char))
    name = re.sub(r" {2,}", " ", name).strip()

    stem, dot, suffix = name.rpartition(".")
    if not dot or not _EXTENSION_RE.match(suffix):
        stem, suffix = name, ""

    if content_type is not None:
        extension = EXTENSIONS[content_type]
        # "rapport.PDF.exe": the misleading last extension goes, the right one stays.
        inner_stem, inner_dot, inner_suffix = stem.rpartition(".")
        if suffix.lower() != extension and inner_dot and inner_suffix.lower() == extension:
            stem = inner_stem
        suffix = extension
    stem = stem.strip(" .")
    if not stem:
        stem = FALLBACK_NAME
    if not suffix:
        return _truncate(stem, MAX_NAME_CHARS, MAX_NAME_BYTES).rstrip(" .") or FALLBACK_NAME
    reserved = len(suffix) + 1
    stem = _truncate(stem, MAX_NAME_CHARS - reserved, MAX_NAME_BYTES - reserved).rstrip(" .") or FALLBACK_NAME
    return f"{stem}.{suffix}"


def _ascii_filename(name: str) -> str:
    """The ASCII fallback of Content-Disposition for clients without RFC 5987 support:
    accents dropped ("é" → "e"), quotes and backslashes gone, never only an extension."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return sanitise_filename(_ASCII_SAFE_RE.sub("", ascii_name))


def content_disposition(name: str) -> str:
    """``attachment`` with both an ASCII ``filename`` and an RFC 5987 ``filename*``
    (RFC 6266 §4.3). Django's own header gives only ``filename*`` for a non-ASCII name,
    which leaves older clients without any name."""
    return f"attachment; filename=\"{_ascii_filename(name)}\"; filename*=UTF-8''{quote(name, safe='')}"
