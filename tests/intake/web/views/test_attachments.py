"""The attachments page (intake.web.views.attachments): downloads only for the
organisation's members; a refused upload told in the page's error summary."""

import hashlib

from intake.models import Attachment
from tests.intake.dossier_helpers import pdf_bytes
from tests.intake.file_helpers import pdf_bytes as pdf_bytes_with
from tests.intake.file_helpers import upload
from tests.intake.pdf_builders import open_action_javascript
from tests.intake.web.dossier_pages import fresh, is_login_redirect, url


def test_attachment_download_by_a_member(logged_in_client, call, organisation, submitted_dossier):
    attachment = submitted_dossier.attachments.get(kind="mandate-letters")

    response = logged_in_client.get(url(call, organisation, "dossier_attachment_download", pk=attachment.pk))

    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    response.close()
    assert body == pdf_bytes()
    assert hashlib.sha256(body).hexdigest() == attachment.sha256
    assert response["Content-Disposition"].startswith("attachment;")
    assert attachment.original_name in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"


def test_attachment_download_by_another_organisation_is_not_found(client, call, organisation, submitted_dossier, outsider):
    attachment = submitted_dossier.attachments.first()
    client.force_login(outsider)

    for acting_for in (organisation, outsider.organisations.get()):
        response = client.get(url(call, acting_for, "dossier_attachment_download", pk=attachment.pk))
        assert response.status_code == 404


def test_attachment_download_by_anonymous_redirects_to_login(client, call, organisation, submitted_dossier):
    attachment = submitted_dossier.attachments.first()

    assert is_login_redirect(client.get(url(call, organisation, "dossier_attachment_download", pk=attachment.pk)))


def test_a_refused_upload_is_told_in_the_error_summary_at_the_file(logged_in_client, call, organisation, dossier):
    content = pdf_bytes_with(change=open_action_javascript)

    response = logged_in_client.post(
        url(call, organisation, "dossier_attachments"),
        {"organisation": organisation.pk, "kind": "other", "file": upload("brief.pdf", content)},
    )

    assert response.status_code == 400
    summary = response.content.decode().split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    assert '<a href="#id_file">' in summary
    assert "Dit PDF-bestand bevat JavaScript;" in summary
    assert not Attachment.objects.exists()
    assert fresh(dossier).section_versions == {}
