"""The review page of one dossier shows the version under review — the last version
submitted on time — and not changes the applicant saved afterwards without submitting
them (DESIGN.md §4: "reviewers work on the last version submitted on time")."""

import time_machine

from intake.kernel.enums import AttachmentKind, DossierSection
from intake.models import Attachment, AuditEvent
from intake.services.attachments import attachment_delete, attachment_upload
from intake.services.submissions import dossier_submit
from reviews import services
from tests.intake.dossier_helpers import NETWORK, pdf_upload, save_section
from tests.reviews.review_helpers import sign_in, while_open

EDITED_THEME = "Gewijzigd na de indiening, nooit opnieuw ingediend"


def test_dossier_page_shows_the_submitted_version_not_later_unsubmitted_edits(client, review):
    with time_machine.travel(while_open(review.call, minutes=5), tick=False):
        save_section(review.dossier.pk, DossierSection.NETWORK, {**NETWORK, "theme": EDITED_THEME}, review.applicant)
    sign_in(client, review.manager)

    response = client.get(review.url("dossier"))

    page = response.content.decode()
    assert response.context["submission"].pk == review.submission.pk
    assert NETWORK["theme"] in page
    assert EDITED_THEME not in page


def test_dossier_page_lists_the_attachments_of_the_submitted_version_only(client, review):
    with time_machine.travel(while_open(review.call, minutes=5), tick=False):
        late = attachment_upload(
            dossier_id=review.dossier.pk,
            uploaded_file=pdf_upload("na-indiening.pdf", "na indiening"),
            kind=AttachmentKind.OTHER,
            actor=review.applicant,
        )
    sign_in(client, review.manager)

    page = client.get(review.url("dossier")).content.decode()

    assert "mandaatbrieven.pdf" in page
    assert "na-indiening.pdf" not in page
    assert client.get(review.url("attachment", pk=late.pk)).status_code == 404


def test_dossier_page_shows_the_last_version_and_compares_versions(client, review):
    second_theme = "Tweede versie: warmte en koude"
    with time_machine.travel(while_open(review.call, minutes=5), tick=False):
        save_section(review.dossier.pk, DossierSection.NETWORK, {**NETWORK, "theme": second_theme}, review.applicant)
        second = dossier_submit(dossier_id=review.dossier.pk, actor=review.applicant)
    sign_in(client, review.manager)

    response = client.get(review.url("dossier"), {"compare": "1,2"})

    page = response.content.decode()
    assert response.context["submission"].pk == second.pk
    assert second_theme in page
    assert [v.reference for v in response.context["versions"]] == [second.reference, review.reference]
    compare = response.context["compare"]
    assert (compare["a"], compare["b"]) == (1, 2)
    [change] = compare["changes"]
    assert change["section"] == "network"
    assert change["before"]["theme"] == NETWORK["theme"]
    assert change["after"]["theme"] == second_theme


def test_dossier_page_compare_with_nonsense_is_ignored(client, review):
    sign_in(client, review.manager)
    for value in ("1,9", "x", "1", ""):
        response = client.get(review.url("dossier"), {"compare": value})
        assert response.status_code == 200
        assert response.context["compare"] is None


def test_dossier_page_attachment_download_is_audited_and_not_cached(client, review):
    services.conflict_declare(dossier=review.dossier, reviewer=review.reviewer, has_conflict=False)
    sign_in(client, review.reviewer)
    attachment = review.dossier.attachments.get(kind=AttachmentKind.MANDATE_LETTERS)

    response = client.get(review.url("attachment", pk=attachment.pk))

    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(action="attachment.downloaded")
    assert (event.actor, event.object_id) == (review.reviewer, str(attachment.pk))


def test_dossier_page_attachment_not_for_a_call_manager_with_a_conflict(client, review):
    """As the dossier page (403 "conflicted") and the admin's lists: a call manager who
    declared a conflict downloads none of the dossier's attachments either."""
    services.conflict_declare(dossier=review.dossier, reviewer=review.manager, has_conflict=True)
    sign_in(client, review.manager)
    attachment = review.dossier.attachments.get(kind=AttachmentKind.MANDATE_LETTERS)

    assert client.get(review.url("dossier")).status_code == 403
    assert client.get(review.url("attachment", pk=attachment.pk)).status_code == 404
    assert not AuditEvent.objects.filter(action="attachment.downloaded").exists()


def test_attachment_removed_after_submission_stays_with_the_submitted_version(client, review):
    letters = review.dossier.attachments.get(kind=AttachmentKind.MANDATE_LETTERS)
    with time_machine.travel(while_open(review.call, minutes=5), tick=False):
        attachment_delete(dossier_id=review.dossier.pk, attachment_id=letters.pk, actor=review.applicant)

    # Gone from the live dossier (the applicant would have to submit again to be complete) ...
    assert not review.dossier.attachments.filter(pk=letters.pk).exists()
    # ... but row and file stay for the version that certified it.
    kept = Attachment.all_objects.get(pk=letters.pk)
    assert kept.removed_at is not None
    assert kept.file.storage.exists(kept.file.name)
    sign_in(client, review.manager)
    assert "mandaatbrieven.pdf" in client.get(review.url("dossier")).content.decode()
    response = client.get(review.url("attachment", pk=letters.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
