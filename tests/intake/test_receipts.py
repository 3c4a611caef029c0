"""Receipts (ontvangstbewijzen, DESIGN.md §5): real PDF/A-3b documents rendered by
WeasyPrint and read back with pypdf — what they print, the embedded canonical snapshot,
Dutch and English, idempotent production (one receipt, one file, one e-mail), deterministic
bytes, failures recorded and requeued from the admin, download rights, and the public
verification page with its rate limit. Nothing of the project is mocked: failures are
provoked with an unusable storage location and an unreachable SMTP server."""

import hashlib
import io
import json
import re
import socket
import uuid
from datetime import datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader, PdfWriter

from intake.kernel.enums import Phase, ReceiptStatus, Role
from intake.kernel.formatting import BRUSSELS, format_euro, format_instant
from intake.kernel.roles import CALL_MANAGERS, REVIEWERS
from intake.messaging.receipts import SNAPSHOT_NAME, read_receipt_pdf, receipt_pdf, receipt_produce
from intake.models import AuditEvent, Extension, Membership, Receipt, Submission
from intake.services.submissions import dossier_submit, preregistration_submit
from intake.tasks import receipt_render
from tests.auth import sign_in
from tests.concurrency import requires_postgresql, run_together
from tests.factories import CallFactory, OrganisationFactory, PreRegistrationFactory, UserFactory
from tests.intake.dossier_helpers import BUDGET_YEAR, complete_dossier

OPENS = datetime(2026, 1, 5, 9, 0, tzinfo=BRUSSELS)
PREREGISTRATION_DEADLINE = datetime(2026, 1, 23, 12, 0, tzinfo=BRUSSELS)
DOSSIER_DEADLINE = datetime(2026, 5, 11, 12, 0, tzinfo=BRUSSELS)
# Winter time (UTC+01:00) for the pre-registration, summer time (UTC+02:00) for the dossier.
SUBMITTED = datetime(2026, 1, 20, 9, 15, 30, 123456, tzinfo=BRUSSELS)
WHILE_PREREGISTRATION_OPEN = datetime(2026, 1, 12, 10, 0, tzinfo=BRUSSELS)
DOSSIER_SUBMITTED = datetime(2026, 5, 11, 11, 59, 59, 500000, tzinfo=BRUSSELS)

ENTERPRISE_NUMBER = "0403019261"
ORGANISATION_NAME = "Slimme Warmte & Koöperatie vzw"
PDFAID = "http://www.aiim.org/pdfa/ns/id/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

VERIFY_LIMIT = 30


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def storage_root(settings, tmp_path):
    root = tmp_path / "private"
    root.mkdir()
    use_storage(settings, root)
    return root


def use_storage(settings, location) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(location)}},
    }


@pytest.fixture(autouse=True)
def own_cache(settings):
    """The rate limit lives in the cache: each test gets a cache of its own (the default
    file cache under var/ is shared with everything else running on this machine)."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": f"receipts-{uuid.uuid4()}"}
    }
    cache.clear()


@pytest.fixture
def call(db):
    return CallFactory(
        reference_prefix="IBN4",
        opens_at=OPENS,
        preregistration_deadline=PREREGISTRATION_DEADLINE,
        dossier_deadline=DOSSIER_DEADLINE,
    )


@pytest.fixture
def organisation(db, user):
    return OrganisationFactory(owner=user, name=ORGANISATION_NAME, enterprise_number=ENTERPRISE_NUMBER)


@pytest.fixture
def submit(django_capture_on_commit_callbacks):
    """submit(call, organisation, actor, language="nl") → the Submission of a
    pre-registration submitted at SUBMITTED, with the queued receipt task run on commit
    (run_tasks=False leaves it queued: the receipt is then not even pending yet)."""

    def make(call, organisation, actor, *, language="nl", run_tasks=True) -> Submission:
        preregistration = PreRegistrationFactory(call=call, organisation=organisation, complete=True)
        with (
            time_machine.travel(SUBMITTED, tick=False),
            translation.override(language),
            django_capture_on_commit_callbacks(execute=run_tasks) as callbacks,
        ):
            submission = preregistration_submit(preregistration_id=preregistration.pk, actor=actor)
        # The receipt task, queued on commit; run, it queues its e-mail in the outbox.
        assert len(callbacks) >= 1
        return Submission.objects.select_related("call", "organisation", "submitted_by").get(pk=submission.pk)

    return make


@pytest.fixture
def submission(submit, call, organisation, user):
    return submit(call, organisation, user)


@pytest.fixture
def receipt(submission):
    return Receipt.objects.get(submission=submission)


@pytest.fixture
def dossier_submission(call, organisation, user, django_capture_on_commit_callbacks):
    with time_machine.travel(WHILE_PREREGISTRATION_OPEN, tick=False):
        dossier = complete_dossier(call, organisation, user)
    with time_machine.travel(DOSSIER_SUBMITTED, tick=False), django_capture_on_commit_callbacks(execute=True):
        submission = dossier_submit(dossier_id=dossier.pk, actor=user)
    return Submission.objects.select_related("call", "organisation", "dossier").get(pk=submission.pk)


# --- helpers ---------------------------------------------------------------------------------


def stored_files(root) -> list:
    return sorted(path for path in root.rglob("*") if path.is_file())


def pdf_bytes_of(receipt: Receipt) -> bytes:
    with receipt.pdf.open("rb") as handle:
        return handle.read()


def pdf_text(data: bytes) -> str:
    """The text of every page, white space (line breaks included) collapsed to one space."""
    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def pdfaid(reader: PdfReader) -> dict:
    """pdfaid:part and pdfaid:conformance from the XMP metadata, as attributes or elements."""
    found = {}
    for description in reader.xmp_metadata.rdf_root.getElementsByTagNameNS(RDF, "Description"):
        for name in ("part", "conformance"):
            if description.hasAttributeNS(PDFAID, name):
                found[name] = description.getAttributeNS(PDFAID, name)
            for element in description.getElementsByTagNameNS(PDFAID, name):
                found[name] = "".join(node.data for node in element.childNodes if node.nodeType == node.TEXT_NODE)
    return found


def instant(value, language: str) -> str:
    with translation.override(language):
        return format_instant(value)


def pdf_with_attachment(content: bytes | None) -> bytes:
    """A genuine PDF, with ``content`` embedded as snapshot.json (or nothing embedded)."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if content is not None:
        writer.add_attachment(SNAPSHOT_NAME, content)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def in_group(name: str):
    user = UserFactory()
    user.groups.add(Group.objects.get(name=name))
    return user


def download_url(reference: str) -> str:
    return reverse("receipt_download", kwargs={"reference": reference})


def verify(client, ip: str = "198.51.100.20", **data):
    return client.post(reverse("intake:receipt_verify"), data, REMOTE_ADDR=ip)


def verify_upload(client, content: bytes, name: str = "ontvangstbewijs.pdf"):
    return client.post(
        reverse("intake:receipt_verify"),
        {"receipt": SimpleUploadedFile(name, content, content_type="application/pdf")},
        REMOTE_ADDR="198.51.100.21",
    )


def verdict(response) -> str:
    """The yes/no box of the verification page, as text."""
    match = re.search(r'<div class="alert[^"]*" role="status">(.*?)</div>', response.content.decode(), re.S)
    assert match, "no verdict on the page"
    return " ".join(match.group(1).split())


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- what the receipt prints -----------------------------------------------------------------


def test_receipt_preregistration_pdf_prints_reference_instant_organisation_deadline_and_hash(submission, receipt):
    text = pdf_text(pdf_bytes_of(receipt))

    assert receipt.status == ReceiptStatus.RENDERED
    assert submission.reference == "IBN4-VA-0001"
    assert submission.reference in text
    registered = instant(submission.submitted_at, "nl")
    assert registered == "20 januari 2026 om 09:15:30 (UTC+01:00)"
    assert registered in text
    deadline = instant(submission.deadline, "nl")
    assert deadline == "23 januari 2026 om 12:00:00 (UTC+01:00)"
    assert deadline in text
    assert ORGANISATION_NAME in text
    assert "0403.019.261" in text
    assert submission.submitted_by.email in text
    assert "Netwerk voor slimme warmte" in text
    assert "WARM" in text
    assert submission.snapshot_sha256 in text


def test_receipt_pdf_is_pdfa_3b_with_title_and_author(submission, receipt):
    reader = PdfReader(io.BytesIO(pdf_bytes_of(receipt)))

    assert pdfaid(reader) == {"part": "3", "conformance": "B"}
    assert submission.reference in reader.metadata.title
    assert reader.metadata.author == "clusterportal"


def test_receipt_embeds_the_snapshot_byte_for_byte(submission, receipt):
    data = pdf_bytes_of(receipt)
    reader = PdfReader(io.BytesIO(data))

    assert list(reader.attachments) == [SNAPSHOT_NAME]
    [embedded] = reader.attachments[SNAPSHOT_NAME]
    assert embedded == submission.snapshot.encode("utf-8")
    assert hashlib.sha256(embedded).hexdigest() == submission.snapshot_sha256
    assert submission.snapshot_sha256 in pdf_text(data)
    assert json.loads(embedded)["reference"] == submission.reference
    assert read_receipt_pdf(data) == (submission.reference, submission.snapshot_sha256)
    assert receipt.pdf_sha256 == hashlib.sha256(data).hexdigest()
    assert receipt.size == len(data)


def test_receipt_in_dutch_for_a_dutch_submission(submission, receipt, mailoutbox):
    text = pdf_text(pdf_bytes_of(receipt))

    assert submission.language == "nl"
    # "Receipt" itself has no Dutch translation yet (no "Ontvangstbewijs" in django.po):
    # the words checked here are the translated ones.
    for dutch in ("Referentie", "Organisatie", "Ondernemingsnummer", "vooraanmelding", " om ", "januari"):
        assert dutch in text, dutch
    for english in ("Enterprise number", "pre-registration", "January", " at 09:15:30"):
        assert english not in text, english
    [mail] = mailoutbox
    assert "Geregistreerd op" in mail.body
    assert instant(submission.submitted_at, "nl") in mail.body


def test_receipt_in_english_for_an_english_submission(submit, call, organisation, user, mailoutbox):
    submission = submit(call, organisation, user, language="en")
    text = pdf_text(pdf_bytes_of(submission.receipt))

    assert submission.language == "en"
    registered = instant(submission.submitted_at, "en")
    assert registered == "20 January 2026 at 09:15:30 (UTC+01:00)"
    assert registered in text
    assert instant(submission.deadline, "en") in text
    for english in ("Receipt", "Reference", "Enterprise number", "pre-registration", " at "):
        assert english in text, english
    for dutch in ("Referentie", "Ondernemingsnummer", "vooraanmelding", " om ", "januari"):
        assert dutch not in text, dutch
    [mail] = mailoutbox
    assert mail.subject.startswith(f"Receipt {submission.reference}")
    assert "Registered on" in mail.body


def test_receipt_with_an_extension_prints_the_extended_deadline(call, organisation, user, django_capture_on_commit_callbacks):
    extended = datetime(2026, 1, 30, 17, 0, tzinfo=BRUSSELS)
    Extension.objects.create(
        call=call,
        organisation=organisation,
        phase=Phase.PREREGISTRATION,
        deadline=extended,
        reason="Storing",
        granted_by=UserFactory(),
    )
    preregistration = PreRegistrationFactory(call=call, organisation=organisation, complete=True)
    late_but_extended = datetime(2026, 1, 26, 10, 0, 1, tzinfo=BRUSSELS)
    with time_machine.travel(late_but_extended, tick=False), django_capture_on_commit_callbacks(execute=True):
        submission = preregistration_submit(preregistration_id=preregistration.pk, actor=user)

    text = pdf_text(pdf_bytes_of(Receipt.objects.get(submission=submission)))

    assert instant(late_but_extended, "nl") in text
    assert instant(extended, "nl") == "30 januari 2026 om 17:00:00 (UTC+01:00)"
    assert instant(extended, "nl") in text
    assert instant(PREREGISTRATION_DEADLINE, "nl") not in text
    with translation.override("nl"):
        assert translation.gettext("extension granted to the organisation") in text


def test_receipt_dossier_prints_mandates_budget_totals_and_attachments(dossier_submission):
    submission = dossier_submission
    receipt = Receipt.objects.get(submission=submission)
    data = pdf_bytes_of(receipt)
    text = pdf_text(data)

    assert receipt.status == ReceiptStatus.RENDERED
    assert submission.reference == "IBN4-DS-0001-1"
    assert submission.reference in text
    assert "volledig dossier" in text
    registered = instant(submission.submitted_at, "nl")
    assert registered == "11 mei 2026 om 11:59:59 (UTC+02:00)"
    assert registered in text
    assert instant(DOSSIER_DEADLINE, "nl") in text
    assert ORGANISATION_NAME in text
    assert "0403.019.261" in text
    assert submission.snapshot_sha256 in text

    with translation.override("nl"):
        mandates = translation.gettext("Valid Flemish mandating enterprises")
        costs = BUDGET_YEAR["staff_costs"] + BUDGET_YEAR["operating_costs"] + BUDGET_YEAR["other_costs"]
        members, subsidy = BUDGET_YEAR["member_contributions"], BUDGET_YEAR["requested_subsidy"]
        years = [
            translation.gettext("Year %(year)s: costs %(costs)s, member contributions %(members)s, requested subsidy %(subsidy)s")
            % {"year": year, "costs": format_euro(costs), "members": format_euro(members), "subsidy": format_euro(subsidy)}
            for year in (1, 2, 3)
        ]
        total = translation.gettext("Total: costs %(costs)s, member contributions %(members)s, requested subsidy %(subsidy)s") % {
            "costs": format_euro(3 * costs),
            "members": format_euro(3 * members),
            "subsidy": format_euro(3 * subsidy),
        }
    assert json.loads(submission.snapshot)["mandating_enterprises_counted"] == 30
    assert f"{mandates} 30" in text
    for line in years:
        assert line in text, line
    assert total in text
    assert "€ 750.000,00" in total

    attachments = list(submission.dossier.attachments.order_by("original_name"))
    assert [a.original_name for a in attachments] == ["begroting.xlsx", "mandaatbrieven.pdf"]
    for attachment in attachments:
        assert attachment.original_name in text
        assert f"SHA-256 {attachment.sha256}" in text

    [embedded] = PdfReader(io.BytesIO(data)).attachments[SNAPSHOT_NAME]
    assert embedded == submission.snapshot.encode("utf-8")


# --- idempotent and deterministic ------------------------------------------------------------


def test_receipt_produce_twice_gives_one_receipt_one_file_one_mail(
    submit, call, organisation, user, storage_root, mailoutbox, django_capture_on_commit_callbacks
):
    submission = submit(call, organisation, user, run_tasks=False)
    # Recorded with the submission, pending until the task renders it.
    assert Receipt.objects.get().status == ReceiptStatus.PENDING

    with django_capture_on_commit_callbacks(execute=True):
        first = receipt_produce(submission_id=submission.pk)
        second = receipt_produce(submission_id=submission.pk)

    assert first.pk == second.pk
    receipt = Receipt.objects.get()
    assert receipt.status == ReceiptStatus.RENDERED
    assert receipt.attempts == 1
    assert receipt.emailed_at is not None
    assert stored_files(storage_root) == [storage_root / "receipts" / f"{submission.reference}.pdf"]
    assert len(mailoutbox) == 1


def test_receipt_render_task_run_again_changes_nothing(submission, receipt, storage_root, mailoutbox):
    before = pdf_bytes_of(receipt)

    results = [receipt_render.apply(kwargs={"submission_id": submission.pk}) for _ in range(2)]

    assert all(result.successful() for result in results)
    assert Receipt.objects.count() == 1
    after = Receipt.objects.get()
    assert (after.attempts, after.emailed_at, after.rendered_at) == (1, receipt.emailed_at, receipt.rendered_at)
    assert pdf_bytes_of(after) == before
    assert len(stored_files(storage_root)) == 1
    assert len(mailoutbox) == 1


def test_receipt_pdf_is_identical_when_rendered_again_later(submission, receipt):
    stored = pdf_bytes_of(receipt)

    with time_machine.travel(SUBMITTED + timedelta(days=40, hours=7, seconds=13), tick=False):
        again = receipt_pdf(Submission.objects.get(pk=submission.pk))

    assert again == stored
    assert hashlib.sha256(again).hexdigest() == receipt.pdf_sha256


def test_receipt_render_again_replaces_the_file_with_the_same_bytes_and_sends_no_mail(
    submission, receipt, storage_root, mailoutbox
):
    stored = pdf_bytes_of(receipt)
    Receipt.objects.filter(pk=receipt.pk).update(status=ReceiptStatus.FAILED)

    with time_machine.travel(SUBMITTED + timedelta(days=3), tick=False):
        receipt_produce(submission_id=submission.pk)

    again = Receipt.objects.get(pk=receipt.pk)
    assert again.status == ReceiptStatus.RENDERED
    assert again.attempts == 2
    assert again.pdf.name == receipt.pdf.name
    assert pdf_bytes_of(again) == stored
    assert again.pdf_sha256 == receipt.pdf_sha256
    assert stored_files(storage_root) == [storage_root / receipt.pdf.name]
    assert len(mailoutbox) == 1  # the e-mail had been sent: not again


# --- the e-mail ------------------------------------------------------------------------------


def test_receipt_email_goes_to_submitter_and_owners_with_the_pdf(submit, call, organisation, user, mailoutbox):
    second_owner, submitter, other_editor = UserFactory(), UserFactory(), UserFactory()
    Membership.objects.create(organisation=organisation, user=second_owner, role=Role.OWNER)
    Membership.objects.create(organisation=organisation, user=submitter, role=Role.EDITOR)
    Membership.objects.create(organisation=organisation, user=other_editor, role=Role.EDITOR)

    submission = submit(call, organisation, submitter)

    # One message per recipient (each its own outbox row, status and retries).
    assert sorted(m.to[0] for m in mailoutbox) == sorted([user.email, second_owner.email, submitter.email])
    assert all(len(m.to) == 1 and len(m.attachments) == 1 for m in mailoutbox)
    mail = mailoutbox[0]
    assert submission.reference in mail.subject
    assert submission.reference in mail.body
    assert submission.snapshot_sha256 in mail.body
    assert ORGANISATION_NAME in mail.body  # plain text: not HTML-escaped
    assert "&amp;" not in mail.body
    assert download_url(submission.reference) in mail.body
    [(html, mimetype)] = mail.alternatives
    assert mimetype == "text/html"
    assert submission.reference in html
    assert submission.snapshot_sha256 in html
    [(name, content, content_type)] = mail.attachments
    assert name == f"{submission.reference}.pdf"
    assert content_type == "application/pdf"
    assert content.startswith(b"%PDF")
    assert content == pdf_bytes_of(submission.receipt)


def test_receipt_email_failure_is_retried_from_the_outbox_without_rendering_again(
    submit, call, organisation, user, settings, mailoutbox, django_capture_on_commit_callbacks
):
    from intake.kernel.enums import OutboxStatus
    from intake.models import OutboxMessage
    from intake.tasks import outbox_send

    submission = submit(call, organisation, user, run_tasks=False)
    unreachable = {"host": "127.0.0.1", "port": closed_port(), "timeout": 5}
    mailers = settings.MAILERS
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": unreachable}}

    # The send task asks Celery for a retry with back-off (a real worker waits; eagerly
    # run, the request is logged by the robust on-commit dispatch, nothing is raised).
    with django_capture_on_commit_callbacks(execute=True):
        receipt_produce(submission_id=submission.pk)

    receipt = Receipt.objects.get()
    assert receipt.status == ReceiptStatus.RENDERED  # rendering succeeded; only sending failed
    [message] = OutboxMessage.objects.all()
    assert message.status == OutboxStatus.QUEUED  # back in the queue for the retry
    assert message.attempts == 1
    assert "ConnectionRefusedError" in message.last_error
    assert mailoutbox == []
    rendered = pdf_bytes_of(receipt)

    settings.MAILERS = mailers
    outbox_send.apply(kwargs={"ids": [message.pk]})  # the retry
    with django_capture_on_commit_callbacks(execute=True):
        receipt_produce(submission_id=submission.pk)  # a duplicated receipt task changes nothing

    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert message.attempts == 2
    receipt = Receipt.objects.get()
    assert receipt.attempts == 1
    assert pdf_bytes_of(receipt) == rendered
    assert len(mailoutbox) == 1


# --- failures and the admin's requeue --------------------------------------------------------


def test_receipt_render_failure_is_recorded_and_admin_requeue_renders_it(
    submit, call, organisation, user, settings, tmp_path, client, mailoutbox, django_capture_on_commit_callbacks
):
    # A storage location under a regular file cannot be created, not even by root.
    blocker = tmp_path / "not-a-directory"
    blocker.write_bytes(b"")
    use_storage(settings, blocker / "private")
    submission = submit(call, organisation, user, run_tasks=False)

    with pytest.raises(OSError):
        receipt_produce(submission_id=submission.pk)
    with pytest.raises(OSError):
        receipt_produce(submission_id=submission.pk)

    receipt = Receipt.objects.get()
    assert receipt.status == ReceiptStatus.FAILED
    assert receipt.attempts == 2
    assert "Error" in receipt.last_error
    assert not receipt.pdf
    assert receipt.rendered_at is None
    assert mailoutbox == []

    good = tmp_path / "fixed"
    good.mkdir()
    use_storage(settings, good)
    sign_in(client, UserFactory(is_staff=True, is_superuser=True))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            reverse("admin:intake_receipt_changelist"), {"action": "requeue", "_selected_action": [receipt.pk]}
        )

    assert response.status_code == 302
    assert len(callbacks) == 2  # the receipt task, then its e-mail from the outbox
    receipt.refresh_from_db()
    assert receipt.status == ReceiptStatus.RENDERED
    assert receipt.attempts == 3
    assert receipt.last_error == ""
    assert receipt.emailed_at is not None
    assert stored_files(good) == [good / "receipts" / f"{submission.reference}.pdf"]
    assert pdf_bytes_of(receipt).startswith(b"%PDF")
    assert len(mailoutbox) == 1


def test_receipt_admin_requeue_leaves_a_rendered_receipt_alone(receipt, client, mailoutbox, django_capture_on_commit_callbacks):
    sign_in(client, UserFactory(is_staff=True, is_superuser=True))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            reverse("admin:intake_receipt_changelist"), {"action": "requeue", "_selected_action": [receipt.pk]}
        )

    assert response.status_code == 302
    assert callbacks == []
    after = Receipt.objects.get(pk=receipt.pk)
    assert (after.status, after.attempts, after.rendered_at) == (ReceiptStatus.RENDERED, 1, receipt.rendered_at)
    assert len(mailoutbox) == 1


# --- download rights -------------------------------------------------------------------------


def test_receipt_download_by_member_is_the_pdf_as_attachment_and_audited(client, user, submission, receipt):
    client.force_login(user)

    response = client.get(download_url(submission.reference))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert f'filename="{submission.reference}.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == pdf_bytes_of(receipt)
    event = AuditEvent.objects.get(action="receipt.downloaded")
    assert event.actor == user
    assert (event.object_type, event.object_id) == ("receipt", str(receipt.pk))
    assert event.organisation == submission.organisation
    assert event.call == submission.call
    assert event.data == {"reference": submission.reference}


@pytest.mark.parametrize("who", ["editor", "reviewer", "call manager", "superuser"])
def test_receipt_download_allowed(client, organisation, submission, receipt, who):
    if who == "editor":
        visitor = UserFactory()
        Membership.objects.create(organisation=organisation, user=visitor, role=Role.EDITOR)
    elif who == "reviewer":  # a reviewer assigned to this call
        from reviews.models import ReviewerAssignment

        visitor = in_group(REVIEWERS)
        ReviewerAssignment.objects.create(call=submission.call, reviewer=visitor)
    elif who == "call manager":
        visitor = in_group(CALL_MANAGERS)
    else:
        visitor = UserFactory(is_staff=True, is_superuser=True)
    if who == "editor":
        client.force_login(visitor)
    else:
        sign_in(client, visitor)  # the agency's staff: only with the second factor

    response = client.get(download_url(submission.reference))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == pdf_bytes_of(receipt)
    assert AuditEvent.objects.get(action="receipt.downloaded").actor == visitor


@pytest.mark.parametrize("who", ["reviewer", "call manager"])
def test_receipt_download_by_staff_without_the_second_factor_is_404(client, submission, receipt, who):
    from reviews.models import ReviewerAssignment

    if who == "reviewer":
        visitor = in_group(REVIEWERS)
        ReviewerAssignment.objects.create(call=submission.call, reviewer=visitor)
    else:
        visitor = in_group(CALL_MANAGERS)
    client.force_login(visitor)  # password only

    assert client.get(download_url(submission.reference)).status_code == 404


def test_receipt_download_by_a_reviewer_with_a_conflict_is_404(client, submission, receipt, organisation, user):
    """A reviewer assigned to one dossier of the call does not get another organisation's
    receipt, nor (after declaring a conflict) the receipts of their own dossier."""
    from reviews.models import ConflictDeclaration, ReviewerAssignment
    from tests.intake.dossier_helpers import complete_dossier

    reviewer = in_group(REVIEWERS)
    other_org = OrganisationFactory(owner=UserFactory())
    with time_machine.travel(SUBMITTED - timedelta(hours=1), tick=False):
        dossier = complete_dossier(submission.call, other_org, other_org.memberships.get().user)
    ReviewerAssignment.objects.create(call=submission.call, reviewer=reviewer, dossier=dossier)
    sign_in(client, reviewer)

    assert client.get(download_url(submission.reference)).status_code == 404  # not their dossier
    prereg = dossier.preregistration.submissions.get()
    assert receipt_produce(submission_id=prereg.pk).status == ReceiptStatus.RENDERED
    assert client.get(download_url(prereg.reference)).status_code == 200  # their dossier
    ConflictDeclaration.objects.create(dossier=dossier, reviewer=reviewer, has_conflict=True)
    assert client.get(download_url(prereg.reference)).status_code == 404  # conflicted


def test_receipt_download_by_a_reviewer_of_another_call_is_404(client, submission, receipt):
    from reviews.models import ReviewerAssignment

    reviewer = in_group(REVIEWERS)
    ReviewerAssignment.objects.create(call=CallFactory(), reviewer=reviewer)
    client.force_login(reviewer)

    assert client.get(download_url(submission.reference)).status_code == 404


def test_receipt_download_by_another_applicant_is_404(client, submission, receipt):
    stranger = UserFactory()
    OrganisationFactory(owner=stranger)
    client.force_login(stranger)

    response = client.get(download_url(submission.reference))

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="receipt.downloaded").exists()


def test_receipt_download_anonymous_is_sent_to_login(client, submission, receipt):
    response = client.get(download_url(submission.reference))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "next=" in response["Location"]
    assert not AuditEvent.objects.filter(action="receipt.downloaded").exists()


def test_receipt_download_unknown_reference_is_404(client, user, receipt):
    client.force_login(user)

    assert client.get(download_url("IBN4-VA-9999")).status_code == 404


def test_receipt_download_before_it_is_rendered_is_404(client, user, submit, call, organisation):
    submission = submit(call, organisation, user, run_tasks=False)
    assert Receipt.objects.get(submission=submission).status == ReceiptStatus.PENDING
    client.force_login(user)

    assert client.get(download_url(submission.reference)).status_code == 404


# --- public verification ---------------------------------------------------------------------


def test_receipt_verify_reference_and_hash_is_a_match(client, submission):
    response = verify(client, reference=submission.reference, sha256=submission.snapshot_sha256)

    assert response.status_code == 200
    assert response.context["result"] is True
    assert response.context["reference"] == submission.reference
    assert submission.reference in verdict(response)


def test_receipt_verify_wrong_hash_is_no(client, submission):
    wrong = hashlib.sha256(b"something else").hexdigest()

    response = verify(client, reference=submission.reference, sha256=wrong)

    assert response.status_code == 200
    assert response.context["result"] is False


def test_receipt_verify_unknown_reference_answers_like_a_wrong_hash(client, submission):
    wrong = hashlib.sha256(b"something else").hexdigest()

    known = verify(client, reference=submission.reference, sha256=wrong)
    unknown = verify(client, reference="IBN4-VA-9999", sha256=submission.snapshot_sha256)

    assert (unknown.status_code, unknown.context["result"]) == (known.status_code, known.context["result"]) == (200, False)
    assert verdict(unknown) == verdict(known)
    assert submission.reference not in verdict(known)


@pytest.mark.parametrize(
    ("reference", "sha256"),
    [
        pytest.param("{ref}", "{sha_upper}", id="uppercase-hash"),
        pytest.param("{ref}", "  {sha} \n", id="hash-with-spaces"),
        pytest.param(" {ref_lower} ", "\t{sha_upper} ", id="lowercase-reference-and-both"),
    ],
)
def test_receipt_verify_accepts_uppercase_and_surrounding_spaces(client, submission, reference, sha256):
    values = {
        "ref": submission.reference,
        "ref_lower": submission.reference.lower(),
        "sha": submission.snapshot_sha256,
        "sha_upper": submission.snapshot_sha256.upper(),
    }

    response = verify(client, reference=reference.format(**values), sha256=sha256.format(**values))

    assert response.status_code == 200
    assert response.context["result"] is True


def test_receipt_verify_malformed_hash_is_400_without_an_answer(client, submission):
    response = verify(client, reference=submission.reference, sha256=submission.snapshot_sha256[:63])

    assert response.status_code == 400
    assert response.context["result"] is None
    assert response.context["form"].errors["sha256"]


def test_receipt_verify_uploaded_receipt_is_a_match(client, submission, receipt):
    response = verify_upload(client, pdf_bytes_of(receipt))

    assert response.status_code == 200
    assert response.context["result"] is True
    assert response.context["reference"] == submission.reference


def test_receipt_verify_uploaded_receipt_with_altered_snapshot_is_no(client, submission):
    altered = json.loads(submission.snapshot)
    altered["content"]["network_name"] = "Een ander netwerk"
    forged = pdf_with_attachment(json.dumps(altered).encode("utf-8"))

    response = verify_upload(client, forged)

    assert response.status_code == 200
    assert response.context["result"] is False


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"this is not a PDF at all", id="garbage"),
        pytest.param(b"", id="empty"),
        pytest.param(pdf_with_attachment(None), id="pdf-without-snapshot"),
        pytest.param(pdf_with_attachment(b'{"schema": "other"}'), id="snapshot-without-reference"),
        pytest.param(pdf_with_attachment(b"\xff\xfe not utf-8"), id="snapshot-not-utf8"),
        pytest.param(pdf_with_attachment(b"not json"), id="snapshot-not-json"),
        pytest.param(pdf_with_attachment(b"[]"), id="snapshot-is-a-list"),
        pytest.param(pdf_with_attachment(b'"IBN4-VA-0001"'), id="snapshot-is-a-string"),
        pytest.param(pdf_with_attachment(b'{"reference": 7}'), id="reference-not-a-string"),
        pytest.param(pdf_with_attachment(b'{"reference": null}'), id="reference-null"),
    ],
)
def test_receipt_verify_upload_that_is_not_a_receipt_is_400(client, submission, content):
    response = verify_upload(client, content)

    assert response.status_code == 400
    assert response.context["result"] is None
    assert response.context["upload_form"].errors["receipt"]


def test_receipt_verify_upload_of_a_truncated_receipt_is_400(client, receipt):
    data = pdf_bytes_of(receipt)

    response = verify_upload(client, data[: len(data) // 2])

    assert response.status_code == 400
    assert response.context["result"] is None


def test_receipt_verify_get_prefills_the_reference_from_the_receipt_link(client, submission):
    response = client.get(reverse("intake:receipt_verify"), {"reference": submission.reference})

    assert response.status_code == 200
    assert response.context["form"].initial["reference"] == submission.reference
    assert response.context["result"] is None


def test_receipt_verify_rate_limit_after_30_posts_from_one_address(client, submission):
    cache.clear()
    check = {"reference": submission.reference, "sha256": submission.snapshot_sha256}

    answers = [verify(client, ip="203.0.113.7", **check).status_code for _ in range(VERIFY_LIMIT)]
    refused = verify(client, ip="203.0.113.7", **check)
    other_address = verify(client, ip="203.0.113.8", **check)

    assert answers == [200] * VERIFY_LIMIT
    assert refused.status_code == 429
    assert refused.context["result"] is None
    assert other_address.status_code == 200
    assert other_address.context["result"] is True


def test_receipt_verify_rate_limit_is_not_reset_by_a_forged_forwarded_for(client, submission):
    """Behind the reverse proxy every request comes from the proxy's address and the
    proxy appends the client's real address to X-Forwarded-For; whatever a client put in
    that header itself comes before. Rotating that forged part must not buy new checks."""
    cache.clear()
    check = {"reference": submission.reference, "sha256": submission.snapshot_sha256}

    def through_proxy(n):
        forwarded = f"192.0.2.{n % 250}, 203.0.113.7"  # forged by the client, then appended by the proxy
        return client.post(reverse("intake:receipt_verify"), check, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)

    answers = [through_proxy(n).status_code for n in range(VERIFY_LIMIT)]

    assert answers == [200] * VERIFY_LIMIT
    assert through_proxy(VERIFY_LIMIT).status_code == 429


# --- the pre-registration page ---------------------------------------------------------------


def test_preregistration_page_shows_the_registered_instant_then_the_receipt_link(
    client, user, call, organisation, django_capture_on_commit_callbacks
):
    PreRegistrationFactory(call=call, organisation=organisation, complete=True)
    client.force_login(user)
    page = reverse("intake:preregistration", kwargs={"slug": call.slug}) + f"?organisation={organisation.pk}"

    with (
        time_machine.travel(SUBMITTED, tick=False),
        django_capture_on_commit_callbacks(execute=False) as callbacks,
    ):
        response = client.post(
            reverse("intake:preregistration_submit", kwargs={"slug": call.slug}), {"organisation": organisation.pk}, follow=True
        )

    submission = Submission.objects.get()
    html = response.content.decode()
    assert response.status_code == 200
    assert "Geregistreerd op" in html
    assert instant(submission.submitted_at, "nl") in html
    assert download_url(submission.reference) not in html  # the receipt is not there yet

    with time_machine.travel(SUBMITTED + timedelta(seconds=20), tick=False):
        for callback in callbacks:
            callback()
        html = client.get(page).content.decode()

    assert Receipt.objects.get().status == ReceiptStatus.RENDERED
    assert instant(submission.submitted_at, "nl") in html
    assert f'href="{download_url(submission.reference)}"' in html


# --- concurrency (PostgreSQL) ----------------------------------------------------------------


@requires_postgresql
@pytest.mark.django_db(transaction=True)
def test_receipt_produce_duplicated_task_at_the_same_moment_gives_one_receipt_and_one_mail(
    call, organisation, user, storage_root, mailoutbox
):
    preregistration = PreRegistrationFactory(call=call, organisation=organisation, complete=True)
    with time_machine.travel(SUBMITTED, tick=False):
        # Autocommit: the receipt task runs on commit; start over as if it had never run.
        submission = preregistration_submit(preregistration_id=preregistration.pk, actor=user)
    Receipt.objects.get().pdf.delete(save=False)
    Receipt.objects.all().delete()
    mailoutbox.clear()

    results = run_together(*[lambda: receipt_produce(submission_id=submission.pk)] * 2)

    assert all(isinstance(r, Receipt) for r in results), results
    assert results[0].pk == results[1].pk
    receipt = Receipt.objects.get()
    assert receipt.status == ReceiptStatus.RENDERED
    assert receipt.attempts == 1
    assert stored_files(storage_root) == [storage_root / "receipts" / f"{submission.reference}.pdf"]
    assert len(mailoutbox) == 1
