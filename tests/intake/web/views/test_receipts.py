"""The public receipt verification page (intake.web.views.receipts): a reference and hash,
or an uploaded receipt, give yes or no (an unknown reference answers like a wrong hash),
with a rate limit per client address that a forged X-Forwarded-For does not reset."""

import hashlib
import io
import json
import re

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfWriter

from intake.messaging.receipts import SNAPSHOT_NAME
from tests.intake.receipt_helpers import pdf_bytes_of, receipt_call, receipt_organisation

pytestmark = [receipt_call, receipt_organisation]

VERIFY_LIMIT = 30


def pdf_with_attachment(content: bytes | None) -> bytes:
    """A genuine PDF, with ``content`` embedded as snapshot.json (or nothing embedded)."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if content is not None:
        writer.add_attachment(SNAPSHOT_NAME, content)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


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
