"""Attachment downloads (intake.web.views.attachments): only the organisation's members
get them."""

import hashlib

from tests.intake.dossier_helpers import pdf_bytes
from tests.intake.web.dossier_pages import is_login_redirect, url


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
