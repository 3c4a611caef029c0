"""Downloads (intake.web.files) that browsers can neither sniff nor cache, with a file name
every browser reads."""

from urllib.parse import quote

import pytest

from intake.kernel.enums import AttachmentKind
from intake.rules.files import PDF, XLSX
from intake.services.attachments import attachment_upload
from intake.web.files import attachment_response
from tests.intake.file_helpers import pdf_bytes, upload, xlsx_bytes


def test_attachment_response_headers_for_an_accented_name(dossier, user, storage_root):
    content = xlsx_bytes()
    attachment = attachment_upload(
        dossier_id=dossier.pk,
        uploaded_file=upload("Begroting Zuid-Oost Vlaanderen é.xlsx", content),
        kind=AttachmentKind.BUDGET_TEMPLATE,
        actor=user,
    )

    response = attachment_response(attachment)
    try:
        body = b"".join(response.streaming_content)
    finally:
        response.close()

    assert body == content
    assert response["Content-Disposition"] == (
        "attachment; "
        'filename="Begroting Zuid-Oost Vlaanderen e.xlsx"; '
        "filename*=UTF-8''Begroting%20Zuid-Oost%20Vlaanderen%20%C3%A9.xlsx"
    )
    assert response["Content-Type"] == XLSX
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Length"] == str(len(content))


@pytest.mark.parametrize(
    ("name", "ascii_fallback"),
    [
        ("Mandaatbrieven.pdf", "Mandaatbrieven.pdf"),
        ("预算.pdf", "bijlage.pdf"),
        ("Ærø (ﬁnaal).pdf", "r (finaal).pdf"),
    ],
)
def test_attachment_response_always_has_both_filename_forms(dossier, user, storage_root, name, ascii_fallback):
    attachment = attachment_upload(
        dossier_id=dossier.pk, uploaded_file=upload(name, pdf_bytes()), kind=AttachmentKind.OTHER, actor=user
    )

    response = attachment_response(attachment)
    response.close()

    assert response["Content-Disposition"] == (
        f"attachment; filename=\"{ascii_fallback}\"; filename*=UTF-8''{quote(attachment.original_name, safe='')}"
    )
    assert response["Content-Type"] == PDF
