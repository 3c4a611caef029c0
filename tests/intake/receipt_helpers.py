"""The receipt tests' call (the fourth one, IBN4), its organisation and moments, and reading
receipts back. A module that uses the ``submission`` and ``receipt`` fixtures of
tests/conftest.py marks itself (or the test) with ``receipt_call`` and
``receipt_organisation``, which shape the ``call`` and ``organisation`` fixtures."""

from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from intake.kernel.formatting import BRUSSELS, format_brussels, format_instant
from intake.models import Receipt

OPENS = datetime(2026, 1, 5, 9, 0, tzinfo=BRUSSELS)
PREREGISTRATION_DEADLINE = datetime(2026, 1, 23, 12, 0, tzinfo=BRUSSELS)
DOSSIER_DEADLINE = datetime(2026, 5, 11, 12, 0, tzinfo=BRUSSELS)
# Winter time (UTC+01:00) for the pre-registration, summer time (UTC+02:00) for the dossier.
SUBMITTED = datetime(2026, 1, 20, 9, 15, 30, 123456, tzinfo=BRUSSELS)
WHILE_PREREGISTRATION_OPEN = datetime(2026, 1, 12, 10, 0, tzinfo=BRUSSELS)
DOSSIER_SUBMITTED = datetime(2026, 5, 11, 11, 59, 59, 500000, tzinfo=BRUSSELS)

ENTERPRISE_NUMBER = "0403019261"
ORGANISATION_NAME = "Slimme Warmte & Koöperatie vzw"


receipt_call = pytest.mark.call_fields(
    reference_prefix="IBN4",
    opens_at=OPENS,
    preregistration_deadline=PREREGISTRATION_DEADLINE,
    dossier_deadline=DOSSIER_DEADLINE,
)
receipt_organisation = pytest.mark.organisation_fields(name=ORGANISATION_NAME, enterprise_number=ENTERPRISE_NUMBER)


def pdf_bytes_of(receipt: Receipt) -> bytes:
    with receipt.pdf.open("rb") as handle:
        return handle.read()


def instant(value, language: str) -> str:
    with translation.override(language):
        return format_instant(value)


def moment(value, language: str) -> str:
    """A moment as pages and e-mails write it, without seconds (the receipt has those)."""
    with translation.override(language):
        return format_brussels(value)


def download_url(reference: str) -> str:
    return reverse("receipt_download", kwargs={"reference": reference})
