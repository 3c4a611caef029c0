"""Attachments of the full dossier (section 7): upload and delete. Files are stored in the
private default storage (PRIVATE_STORAGE_ROOT), never under a public URL; they leave the
portal only through intake.web.files, called by a view that checked the user's rights.
What a file may be is intake.rules.files."""

import hashlib
import logging
import uuid

from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from intake import deadlines
from intake.audit import audit_record, records_late_attempts
from intake.kernel.enums import AttachmentKind, DossierSection
from intake.kernel.errors import AttachmentRefused
from intake.models import Attachment, Mandate
from intake.rules.active_content import refuse_active_content
from intake.rules.files import ALLOWED_TYPES, HEAD_BYTES, TYPE_LABELS, allowed_types, check_size, detect_type, sanitise_filename
from intake.selectors.dossiers import attachments_total_size
from intake.services.dossiers import bump_section_version, dossier_lock_for_edit

logger = logging.getLogger(__name__)


class HashingFile(File):
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


def file_size(uploaded_file) -> int:
    size = getattr(uploaded_file, "size", None)
    if size is not None:
        return size
    position = uploaded_file.tell()
    uploaded_file.seek(0, 2)
    size = uploaded_file.tell()
    uploaded_file.seek(position)
    return size


def delete_stored(storage, name: str) -> None:
    try:
        storage.delete(name)
    except OSError:
        # Never hide the error that brought us here behind a failed clean-up: an orphan
        # file in private storage harms nobody, and the log says which one to sweep.
        logger.warning("Could not delete stored attachment file %s", name, exc_info=True)


@records_late_attempts
def attachment_upload(*, dossier_id: int, uploaded_file, kind: str, actor, arrived_at=None) -> Attachment:
    """Store an uploaded file as an attachment of the dossier.

    Raises the DomainErrors of ``dossier_lock_for_edit`` (pre-registration not submitted,
    deadline passed, dossier no longer editable) and AttachmentRefused with code
    ``invalid_kind``, ``empty``, ``too_large``, ``dossier_too_large``,
    ``type_not_allowed``, an ``archive_*`` bound of intake.rules.files, or the active
    content of intake.rules.active_content (``pdf_*``, ``workbook_*``). When it raises,
    nothing is stored: a file already written is deleted again."""
    storage = Attachment.file.field.storage
    stored_name = None
    try:
        with transaction.atomic():
            # The lock comes first: it refuses changes after the deadline before a byte is
            # written, and it serialises concurrent uploads to one dossier so that two
            # colleagues cannot both slip under the dossier's total size limit.
            dossier = dossier_lock_for_edit(dossier_id=dossier_id, arrived_at=arrived_at)
            call = dossier.call
            if kind not in ALLOWED_TYPES:
                raise AttachmentRefused("invalid_kind", _("Choose what kind of attachment this is."))
            stored_total = attachments_total_size(dossier)
            check_size(call, size=file_size(uploaded_file), stored_total=stored_total)

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
            # Inline, before the file is stored: a refused file never enters the dossier. It
            # runs on the upload request only; a submission never waits on it (README, Security).
            refuse_active_content(content_type, uploaded_file)

            safe_name = sanitise_filename(getattr(uploaded_file, "name", "") or "", content_type=content_type)
            hashing = HashingFile(uploaded_file)
            stored_name = storage.save(
                f"dossiers/{dossier.pk}/{uuid.uuid4().hex}-{safe_name}",
                hashing,
                max_length=Attachment.file.field.max_length,
            )
            # The declared size came from the upload handler; what was written is what counts.
            if hashing.bytes_read != file_size(uploaded_file):
                check_size(call, size=hashing.bytes_read, stored_total=stored_total)

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
            delete_stored(storage, stored_name)
        raise
    return attachment


@records_late_attempts
def attachment_delete(*, dossier_id: int, attachment_id: int, actor, arrived_at=None) -> None:
    """Remove an attachment from the dossier. The file is deleted once the transaction
    commits, so a rollback keeps row and file together. Raises the DomainErrors of
    ``dossier_lock_for_edit``, and Attachment.DoesNotExist if the attachment is not one of
    this dossier's (the view answers 404)."""
    storage = Attachment.file.field.storage
    with transaction.atomic():
        dossier = dossier_lock_for_edit(dossier_id=dossier_id, arrived_at=arrived_at)
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
            transaction.on_commit(lambda: delete_stored(storage, stored_name))
        bump_section_version(dossier, DossierSection.ATTACHMENTS, actor)
