"""Rules for uploaded files: the type is decided by the content (magic bytes and, for
spreadsheets, the ZIP directory), never by the name or the Content-Type the browser sent,
both chosen by the uploader; sizes per file and per dossier; safe file names and the
Content-Disposition that carries them."""

import re
import unicodedata
import zipfile
from urllib.parse import quote

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

# --- content sniffing ---------------------------------------------------------------------


def detect_type(head: bytes, file) -> str | None:
    """The content type of ``file`` judged by its bytes, or None if it is none of the
    accepted types. ``head`` is the start of the file (at least 5 bytes); ``file`` is a
    seekable binary file object, used to look inside ZIP containers. Its position is put
    back to where it was."""
    if head.startswith(b"%PDF-"):
        return PDF
    if not head.startswith(b"PK\x03\x04"):
        return None
    position = file.tell()
    try:
        file.seek(0)
        return _zip_type(file)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, KeyError, NotImplementedError, RuntimeError):
        # Whatever a hostile or broken archive makes zipfile raise, it is not a file we accept.
        return None
    finally:
        file.seek(position)


def _zip_type(file) -> str | None:
    with zipfile.ZipFile(file) as archive:
        members = archive.infolist()
        if not members:
            return None
        first = members[0]
        # ODF (ISO/IEC 26300, part 3 §3.3): the first entry is "mimetype", stored, holding
        # the media type. Only this tiny member is ever decompressed, so a ZIP bomb stays
        # harmless; header_offset == 0 checks that it is physically first, too.
        expected = ODS.encode("ascii")
        if first.filename == "mimetype" and first.header_offset == 0:
            if first.file_size == len(expected) and archive.read(first) == expected:
                return ODS
            return None  # another ODF document (text, presentation): not a spreadsheet
        names = {member.filename for member in members}
        if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
            # A macro-enabled workbook (.xlsm) has the same layout plus a VBA project;
            # reviewers must never be handed macros under an .xlsx name.
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                return None
            return XLSX
    return None


def allowed_types(kind: str) -> tuple[str, ...]:
    return ALLOWED_TYPES.get(kind, ())


# --- sizes -------------------------------------------------------------------------------


def check_size(call, *, size: int, stored_total: int) -> None:
    if size == 0:
        raise AttachmentRefused("empty", _("This file is empty. Choose the file again, or another file."))
    if size > call.max_attachment_mb * MB:
        raise AttachmentRefused(
            "too_large",
            _("This file is %(size)s; an attachment may be at most %(max)s MB.")
            % {"size": filesizeformat(size), "max": call.max_attachment_mb},
        )
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
