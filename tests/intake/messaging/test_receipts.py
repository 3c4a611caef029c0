"""Receipts (ontvangstbewijzen, DESIGN.md §5, intake.messaging.receipts): real tagged PDF/A-3a
documents rendered by WeasyPrint and read back with pypdf — what they print, who issues them,
how they are set (one font family, amounts unbroken) and tagged for screen readers, the
embedded canonical snapshot, Dutch and English — idempotent production (one receipt, one
file, one e-mail), deterministic bytes, and the e-mail with its retry. Nothing of the project is
mocked: failures are provoked with an unreachable SMTP server."""

import hashlib
import io
import json
import re
import socket
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import translation
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject

from intake.kernel.enums import OutboxStatus, Phase, ReceiptStatus, Role
from intake.kernel.formatting import BRUSSELS, format_euro
from intake.messaging.receipts import SNAPSHOT_NAME, read_receipt_pdf, receipt_pdf, receipt_produce
from intake.models import Extension, Membership, OutboxMessage, Receipt, Submission
from intake.services.submissions import dossier_submit, preregistration_submit
from intake.tasks import outbox_send
from scripts.run_portal import site_url
from tests.concurrency import requires_postgresql, run_together
from tests.factories import PreRegistrationFactory, UserFactory
from tests.intake.dossier_helpers import BUDGET_YEAR, budget_years, complete_dossier, save_budget
from tests.intake.file_helpers import stored_files
from tests.intake.receipt_helpers import (
    DOSSIER_DEADLINE,
    DOSSIER_SUBMITTED,
    ORGANISATION_NAME,
    PREREGISTRATION_DEADLINE,
    SUBMITTED,
    WHILE_PREREGISTRATION_OPEN,
    download_url,
    instant,
    moment,
    pdf_bytes_of,
    receipt_call,
    receipt_organisation,
)

pytestmark = [receipt_call, receipt_organisation]

PDFAID = "http://www.aiim.org/pdfa/ns/id/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


@pytest.fixture
def dossier_submission(call, organisation, user, django_capture_on_commit_callbacks):
    with time_machine.travel(WHILE_PREREGISTRATION_OPEN, tick=False):
        dossier = complete_dossier(call, organisation, user)
    with time_machine.travel(DOSSIER_SUBMITTED, tick=False), django_capture_on_commit_callbacks(execute=True):
        submission = dossier_submit(dossier_id=dossier.pk, actor=user)
    return Submission.objects.select_related("call", "organisation", "dossier").get(pk=submission.pk)


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


def font_families(reader: PdfReader) -> set[str]:
    """The families of the fonts the pages use: "XKQQSR+DejaVu-Sans-Bold" is DejaVu-Sans."""
    families = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            name = str(font.get_object()["/BaseFont"]).lstrip("/").split("+")[-1]
            families.add(re.sub(r"-(Bold|Oblique|Italic|BoldOblique|BoldItalic)$", "", name))
    return families


def structure_types(reader: PdfReader) -> set[str]:
    """Every structure type (/H1, /P, /Link, …) in the tagged PDF's structure tree."""
    found, todo = set(), [reader.trailer["/Root"]["/StructTreeRoot"]]
    while todo:
        node = todo.pop().get_object()
        if isinstance(node, ArrayObject):
            todo.extend(node)
        elif isinstance(node, DictionaryObject):
            if node.get("/Type") in ("/StructElem", None) and "/S" in node:
                found.add(str(node["/S"]))
            if node.get("/Type") in ("/StructTreeRoot", "/StructElem") or "/S" in node:
                todo.extend([node["/K"]] if "/K" in node else [])
    return found


def link_targets(data: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(data))
    return [
        annotation.get_object()["/A"]["/URI"]
        for page in reader.pages
        for annotation in page.get("/Annots", [])
        if annotation.get_object().get("/Subtype") == "/Link"
    ]


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


def test_receipt_says_the_organisation_was_not_yet_verified_when_it_submitted(submission, receipt):
    """An unverified organisation submits like any other (issue 14, item 4); its receipt
    and snapshot say what VLAIO had verified at that instant."""
    assert json.loads(submission.snapshot)["organisation"]["verification"] == "unverified"
    assert "nog niet geverifieerd door VLAIO bij de indiening" in pdf_text(pdf_bytes_of(receipt))


def test_receipt_pdf_is_pdfa_3a_with_title_and_author(submission, receipt):
    reader = PdfReader(io.BytesIO(pdf_bytes_of(receipt)))

    # Level A (accessible): tagged, Unicode text; part 3 allows the embedded snapshot.
    assert pdfaid(reader) == {"part": "3", "conformance": "A"}
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
    # The e-mail writes the moment as pages do; the attached receipt has seconds and offset.
    assert f"Geregistreerd op: {moment(submission.submitted_at, 'nl')}\n" in mail.body


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


# --- who issues it, how it is set, how it reads ---------------------------------------------


def test_receipt_names_the_issuing_agency_and_what_it_certifies(submission, receipt, settings):
    text = pdf_text(pdf_bytes_of(receipt))

    assert settings.AGENCY_NAME == "VLAIO — Agentschap Innoveren & Ondernemen"
    assert settings.AGENCY_ADDRESS == "Koning Albert II-laan 35 bus 12, 1030 Brussel"
    # The issuer comes first, before the title.
    assert text.startswith(f"{settings.AGENCY_NAME} {settings.AGENCY_ADDRESS} T 0800 20 555 · clusters@vlaio.be ")
    assert text.index(settings.AGENCY_ADDRESS) < text.index("Ontvangstbewijs")
    certifies = (
        "Dit ontvangstbewijs bevestigt dat VLAIO de hieronder beschreven indiening van "
        f"{ORGANISATION_NAME} via clusterportal heeft ontvangen op 20 januari 2026 om 09:15:30 (UTC+01:00)."
    )
    assert certifies in text


def test_receipt_issuer_and_its_contact_come_from_settings_and_the_call(submit, call, organisation, user, settings):
    settings.AGENCY_NAME = "Agentschap Proef"
    settings.AGENCY_SHORT_NAME = "AP"
    settings.AGENCY_ADDRESS = "Proefstraat 1, 9000 Gent"
    call.contact_phone, call.contact_email = "09 123 45 67", "proef@example.org"
    call.save(update_fields=["contact_phone", "contact_email"])

    submission = submit(call, organisation, user, language="en")
    text = pdf_text(pdf_bytes_of(submission.receipt))

    assert text.startswith("Agentschap Proef Proefstraat 1, 9000 Gent T 09 123 45 67 · proef@example.org ")
    assert "VLAIO" not in text
    assert f"This receipt certifies that AP received the submission described below from {ORGANISATION_NAME}" in text


def test_receipt_verification_address_starts_with_site_url(submission, settings):
    settings.SITE_URL = "https://clusters.example.test"

    data = receipt_pdf(submission)

    url = f"https://clusters.example.test/receipts/verify/?reference={submission.reference}"
    assert link_targets(data) == [url]  # a link a reader can follow
    assert url in pdf_text(data)  # and printed whole


def test_receipt_of_make_run_on_another_port_links_that_port(submission, settings):
    settings.SITE_URL = site_url("127.0.0.1", "8010", {})

    data = receipt_pdf(submission)

    assert link_targets(data) == [f"http://127.0.0.1:8010/receipts/verify/?reference={submission.reference}"]


def test_receipt_amounts_never_wrap_between_euro_sign_and_digits(call, organisation, user, django_capture_on_commit_callbacks):
    with time_machine.travel(WHILE_PREREGISTRATION_OPEN, tick=False):
        dossier = complete_dossier(call, organisation, user)
        # The ceiling of € 225 000 a year, matched by the members, half of the costs.
        save_budget(
            dossier.pk,
            budget_years(
                3,
                staff_costs=Decimal("400000.00"),
                member_contributions=Decimal("225000.00"),
                requested_subsidy=Decimal("225000.00"),
            ),
            user,
        )
    with time_machine.travel(DOSSIER_SUBMITTED, tick=False), django_capture_on_commit_callbacks(execute=True):
        submission = dossier_submit(dossier_id=dossier.pk, actor=user)
    reader = PdfReader(io.BytesIO(pdf_bytes_of(Receipt.objects.get(submission=submission))))
    lines = [line for page in reader.pages for line in page.extract_text().splitlines()]

    assert format_euro(Decimal("225000")) == "€ 225.000,00"
    assert sum(line.count("€ 225.000,00") for line in lines) == 6  # members and subsidy, three years
    assert "€ 675.000,00" in " ".join(lines)
    # No line ends on a "€" whose digits went to the next line (the totals did).
    assert [line for line in lines if line.rstrip().endswith("€")] == []
    assert all(re.search(r"€ \d", line) for line in lines if "€" in line)


def test_receipt_keeps_a_gap_between_the_longest_label_and_its_value(submission, receipt):
    # pypdf's layout mode writes the page as it is laid out: distance becomes spaces.
    page = PdfReader(io.BytesIO(pdf_bytes_of(receipt))).pages[0].extract_text(extraction_mode="layout")
    lines = page.splitlines()
    [registered] = [line for line in lines if "Geregistreerd op (Brusselse tijd)" in line]
    [reference] = [line for line in lines if line.lstrip().startswith("Referentie")]

    assert re.search(r"Geregistreerd op \(Brusselse tijd\) {3,}20 januari 2026 om 09:15:30", registered), registered
    # The value starts in the value column, as every other value does.
    assert registered.index("20 januari") == reference.index(submission.reference)


def test_receipt_uses_one_font_family(dossier_submission):
    reader = PdfReader(io.BytesIO(pdf_bytes_of(Receipt.objects.get(submission=dossier_submission))))

    # The page footer and the SHA-256 values too (they were a serif and a monospace).
    assert font_families(reader) == {"DejaVu-Sans"}


def test_receipt_is_a_tagged_pdf_for_screen_readers(dossier_submission):
    data = pdf_bytes_of(Receipt.objects.get(submission=dossier_submission))
    reader = PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]

    assert root["/MarkInfo"]["/Marked"].value is True
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "nl"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"].value is True  # the title, not the file name
    # Headings, paragraphs, the label–value lists and the verification link are tagged as such.
    assert {"/H1", "/H2", "/P", "/L", "/LI", "/Link"} <= structure_types(reader)
    # Tagging keeps what the receipt is for: the snapshot and the PDF/A claim.
    assert pdfaid(reader) == {"part": "3", "conformance": "A"}
    [embedded] = reader.attachments[SNAPSHOT_NAME]
    assert embedded == dossier_submission.snapshot.encode("utf-8")


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
