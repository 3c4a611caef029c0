"""Submitting a full dossier: 30 mandates, a three-year budget and two 5 MB attachments.

Measured at two depths, each next to the bare view of the same run:
- the service (dossier_submit): checks, snapshot, hashing, version row, receipt queued;
- the HTTP POST to /calls/<slug>/dossier/submit/ through every middleware.
Each submission is a new version (re-submission before the deadline), as in real use."""

import itertools

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import override_settings

from bench import env
from intake.kernel.enums import AttachmentKind, DossierSection
from intake.services.attachments import attachment_upload
from intake.services.submissions import dossier_submit
from tests.factories import CallFactory, OrganisationFactory, UserFactory
from tests.intake.dossier_helpers import NETWORK, complete_dossier, save_section
from tests.intake.file_helpers import pdf_bytes

FIVE_MB = 5 * 1024 * 1024


def _big_pdf(tag: str) -> SimpleUploadedFile:
    # A real PDF (uploads are parsed and inspected), padded to 5 MB.
    return SimpleUploadedFile(f"{tag}.pdf", pdf_bytes(FIVE_MB, text=tag), content_type="application/pdf")


@override_settings(ROOT_URLCONF="bench.urls")
def run() -> str:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # user setup only
    user = UserFactory()
    call = CallFactory(max_attachment_mb=10, max_dossier_attachments_mb=50)
    organisation = OrganisationFactory(owner=user)
    dossier = complete_dossier(call, organisation, user, mandates=30)
    attachment_upload(dossier_id=dossier.pk, uploaded_file=_big_pdf("bijlage-a"), kind=AttachmentKind.OTHER, actor=user)
    attachment_upload(dossier_id=dossier.pk, uploaded_file=_big_pdf("bijlage-b"), kind=AttachmentKind.OTHER, actor=user)

    edits = itertools.count()

    def change_theme():
        # An unchanged dossier is not submitted twice: every timed submit is a real new version.
        save_section(dossier.pk, DossierSection.NETWORK, {**NETWORK, "theme": f"Versie {next(edits)}"}, user)

    change_theme()
    # Counted through an execute wrapper: the query log is capped and is reset by requests.
    with env.QueryCounter(connection) as queries:
        dossier_submit(dossier_id=dossier.pk, actor=user)
    query_count = queries.count
    service = env.median_seconds(lambda: dossier_submit(dossier_id=dossier.pk, actor=user), repeat=15, setup=change_theme)

    client, bare_path = env.bare_view_client()
    client.force_login(user)
    submit_path = f"/calls/{call.slug}/dossier/submit/"

    def post_submit():
        before = dossier.submissions.count()
        response = client.post(submit_path, {"organisation": organisation.pk})
        assert response.status_code == 302, response.status_code
        assert dossier.submissions.count() == before + 1, "the POST did not record a new version"

    view = env.median_seconds(post_submit, repeat=15, setup=change_theme)
    bare = env.median_seconds(lambda: client.get(bare_path), repeat=50)
    versions = dossier.submissions.count()
    return env.report(
        f"dossier_submit — 30 mandates, 3 budget years, 2 × 5 MB attachments ({connection.vendor})",
        [
            ("service dossier_submit, median", f"{service * 1000:.1f} ms"),
            ("POST .../dossier/submit/, median", f"{view * 1000:.1f} ms"),
            ("bare Django view, median", f"{bare * 1000:.2f} ms"),
            ("POST submit / bare view", f"{view / bare:.0f}×"),
            ("SQL queries per submit (service)", str(query_count)),
            ("versions recorded in this run", str(versions)),
        ],
    )
