"""The reads of intake.selectors.dossiers."""

from intake.kernel.enums import AttachmentKind
from intake.selectors.dossiers import attachments_total_size
from intake.services.attachments import attachment_upload
from tests.intake.file_helpers import pdf_bytes, upload


def test_attachments_total_size_is_one_query(dossier, user, storage_root, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert attachments_total_size(dossier) == 0
    for name in ("a.pdf", "b.pdf", "c.pdf"):
        attachment_upload(
            dossier_id=dossier.pk, uploaded_file=upload(name, pdf_bytes(1000)), kind=AttachmentKind.OTHER, actor=user
        )
    with django_assert_num_queries(1):
        assert attachments_total_size(dossier) == 3000
