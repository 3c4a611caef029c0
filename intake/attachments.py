"""Attachments of the full dossier (section 7): upload, delete and download.

A file's type is decided by its content (magic bytes and, for spreadsheets, the ZIP
directory), never by the name or the Content-Type the browser sent: both are chosen by
the uploader. Files are stored in the private default storage (PRIVATE_STORAGE_ROOT),
never under a public URL; they leave the portal only through ``attachment_response``,
called by a view that has checked the user's rights."""

import hashlib
import logging
import re
import unicodedata
import uuid
import zipfile
from urllib.parse import quote

from django.core.files import File
from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.http import FileResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from intake import deadlines
from intake.audit import audit_record
from intake.dossiers import bump_section_version, dossier_lock_for_edit
from intake.enums import AttachmentKind, DossierSection
from intake.errors import DomainError
from intake.models import Attachment, Mandate

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

logger = logging.getLogger(__name__)

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


class AttachmentRefused(DomainError):
    """An upload refused for a reason the applicant can fix; ``code`` says which."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


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


# --- services ----------------------------------------------------------------------------


class _HashingFile(File):
    """Wraps an uploaded file so that storing it also hashes and counts it: one read of
    the data, in chunks, whatever its size. Reading from the start again (a storage that
    seeks back to retry) starts the hash again, so it always covers the bytes stored.
    It has no ``temporary_file_path``, so FileSystemStorage streams through ``read``
    instead of moving the temporary file unseen."""

    def __init__(self, file):
        super().__init__(file, name=getattr(file, "name", None))
        self._restart()

    def _restart(self):
        self.sha256 = hashlib.sha256()
        self.bytes_read = 0

    def seek(self, offset, whence=0):
        position = self.file.seek(offset, whence)
        if offset == 0 and whence == 0:
            self._restart()
        return position

    def read(self, size=-1):
        data = self.file.read(size)
        self.sha256.update(data)
        self.bytes_read += len(data)
        return data


def _file_size(uploaded_file) -> int:
    size = getattr(uploaded_file, "size", None)
    if size is not None:
        return size
    position = uploaded_file.tell()
    uploaded_file.seek(0, 2)
    size = uploaded_file.tell()
    uploaded_file.seek(position)
    return size


def _check_size(call, *, size: int, stored_total: int) -> None:
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


def _delete_stored(storage, name: str) -> None:
    try:
        storage.delete(name)
    except OSError:
        # Never hide the error that brought us here behind a failed clean-up: an orphan
        # file in private storage harms nobody, and the log says which one to sweep.
        logger.warning("Could not delete stored attachment file %s", name, exc_info=True)


def attachments_total_size(dossier) -> int:
    """Bytes of all attachments of the dossier, in one query."""
    return Attachment.objects.filter(dossier=dossier).aggregate(total=Coalesce(Sum("size"), 0))["total"]


def attachment_upload(*, dossier_id: int, uploaded_file, kind: str, actor) -> Attachment:
    """Store an uploaded file as an attachment of the dossier.

    Raises the DomainErrors of ``dossier_lock_for_edit`` (pre-registration not submitted,
    deadline passed, dossier no longer editable) and AttachmentRefused with code
    ``invalid_kind``, ``empty``, ``too_large``, ``dossier_too_large`` or
    ``type_not_allowed``. When it raises, nothing is stored: a file already written is
    deleted again."""
    storage = Attachment.file.field.storage
    stored_name = None
    try:
        with transaction.atomic():
            # The lock comes first: it refuses changes after the deadline before a byte is
            # written, and it serialises concurrent uploads to one dossier so that two
            # colleagues cannot both slip under the dossier's total size limit.
            dossier = dossier_lock_for_edit(dossier_id=dossier_id)
            call = dossier.call
            if kind not in ALLOWED_TYPES:
                raise AttachmentRefused("invalid_kind", _("Choose what kind of attachment this is."))
            stored_total = attachments_total_size(dossier)
            _check_size(call, size=_file_size(uploaded_file), stored_total=stored_total)

            uploaded_file.seek(0)
            head = uploaded_file.read(HEAD_BYTES)
            uploaded_file.seek(0)
            content_type = detect_type(head, uploaded_file)
            if content_type not in allowed_types(kind):
                raise AttachmentRefused(
                    "type_not_allowed",
                    _(
                        "Only these file types are accepted as %(kind)s: %(types)s. The content of this file is none "
                        "of them, whatever its name says."
                    )
                    % {"kind": AttachmentKind(kind).label, "types": ", ".join(TYPE_LABELS[t] for t in allowed_types(kind))},
                )

            safe_name = sanitise_filename(getattr(uploaded_file, "name", "") or "", content_type=content_type)
            hashing = _HashingFile(uploaded_file)
            stored_name = storage.save(
                f"dossiers/{dossier.pk}/{uuid.uuid4().hex}-{safe_name}",
                hashing,
                max_length=Attachment.file.field.max_length,
            )
            # The declared size came from the upload handler; what was written is what counts.
            if hashing.bytes_read != _file_size(uploaded_file):
                _check_size(call, size=hashing.bytes_read, stored_total=stored_total)

            attachment = Attachment.objects.create(
                dossier=dossier,
                kind=kind,
                file=stored_name,
                original_name=safe_name,
                content_type=content_type,
                size=hashing.bytes_read,
                sha256=hashing.sha256.hexdigest(),
                uploaded_by=actor,
            )
            bump_section_version(dossier, DossierSection.ATTACHMENTS, actor)
            audit_record(
                actor=actor,
                action="attachment.uploaded",
                obj=attachment,
                call=call,
                organisation=dossier.organisation,
                data={"name": safe_name, "kind": kind, "sha256": attachment.sha256, "size": attachment.size},
            )
    except BaseException:
        # on_commit cannot help here: it never runs on rollback. The try wraps the atomic
        # block so that a failing commit cleans up too.
        if stored_name is not None:
            _delete_stored(storage, stored_name)
        raise
    return attachment


def attachment_delete(*, dossier_id: int, attachment_id: int, actor) -> None:
    """Remove an attachment from the dossier. The file is deleted once the transaction
    commits, so a rollback keeps row and file together. Raises the DomainErrors of
    ``dossier_lock_for_edit``, and Attachment.DoesNotExist if the attachment is not one of
    this dossier's (the view answers 404)."""
    storage = Attachment.file.field.storage
    with transaction.atomic():
        dossier = dossier_lock_for_edit(dossier_id=dossier_id)
        attachment = Attachment.objects.get(pk=attachment_id, dossier=dossier)
        stored_name = attachment.file.name
        audit_record(
            actor=actor,
            action="attachment.deleted",
            obj=attachment,
            call=dossier.call,
            organisation=dossier.organisation,
            data={
                "name": attachment.original_name,
                "kind": attachment.kind,
                "sha256": attachment.sha256,
                "size": attachment.size,
            },
        )
        if dossier.submissions.filter(snapshot__contains=attachment.sha256).exists():
            # A submitted version certifies this file: it leaves the live dossier, but row
            # and file stay for the reviewers and the receipt (the version is immutable).
            Mandate.objects.filter(letter=attachment).update(letter=None)
            attachment.removed_at = deadlines.clock()
            attachment.save(update_fields=["removed_at"])
        else:
            attachment.delete()
            transaction.on_commit(lambda: _delete_stored(storage, stored_name))
        bump_section_version(dossier, DossierSection.ATTACHMENTS, actor)


def attachment_response(attachment) -> FileResponse:
    """Stream the attachment as a download.

    This checks no rights: the calling view must first make sure that the user may see
    this dossier (a member of its organisation, an assigned reviewer, a call manager).
    Raises FileNotFoundError if the stored file is missing."""
    handle = Attachment.file.field.storage.open(attachment.file.name, "rb")
    response = FileResponse(handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition(attachment.original_name)
    # The type was decided by content at upload; the browser must not guess another one.
    response["X-Content-Type-Options"] = "nosniff"
    # Applications are confidential: no shared cache, and no copy left on the reviewer's disk.
    response["Cache-Control"] = "private, no-store"
    return response
