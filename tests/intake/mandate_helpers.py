"""Builders for the mandate tests: the shared reference CSV files (copied into
tests/intake/data/), made-up valid enterprise numbers, CSV rows, and a dossier to import
them into."""

from pathlib import Path

from intake.models import Dossier, PreRegistration
from intake.rules.mandates import MANDATE_CSV_COLUMNS
from intake.services.dossiers import dossier_for
from tests.factories import CallFactory, OrganisationFactory, PreRegistrationFactory, UserFactory

DATA = Path(__file__).resolve().parent / "data"
REFERENCE_WITH_ERRORS = "mandates_30_with_7_errors.csv"
VALID_FILES = ("mandates_35_valid_semicolon_bom.csv", "mandates_35_valid_comma.csv")

# mandates_30_with_7_errors.expected.txt in codes: one error of each kind.
EXPECTED_ERRORS = {
    3: "enterprise_number_checksum",
    4: "duplicate_in_file",
    5: "not_flemish_brussels",
    6: "not_flemish_wallonia",
    7: "name_missing",
    8: "enterprise_number_first_digit",
    9: "enterprise_number_length",
}


def read(name: str) -> bytes:
    return (DATA / name).read_bytes()


def enterprise_number(n: int) -> str:
    """A valid, made-up enterprise number (mod 97), distinct for each n."""
    base = f"0{5000000 + n:07d}"
    return f"{base}{97 - int(base) % 97:02d}"


def csv_bytes(rows, *, header=MANDATE_CSV_COLUMNS, delimiter=";", newline="\r\n") -> bytes:
    lines = [delimiter.join(header), *(delimiter.join(row) for row in rows)]
    return (newline.join(lines) + newline).encode("utf-8")


def good_row(n: int, *, postal_code="9000", name=None, kmo="ja", email=None):
    return (
        enterprise_number(n),
        name if name is not None else f"Bedrijf {n} BV",
        postal_code,
        "Gent",
        kmo,
        email if email is not None else f"info{n}@voorbeeld.example",
    )


def codes(report) -> list[tuple[int, str]]:
    return [(error.line, error.code) for error in report.errors]


def make_dossier(call=None) -> Dossier:
    call = call or CallFactory()
    organisation = OrganisationFactory(owner=UserFactory())
    preregistration = PreRegistrationFactory(call=call, organisation=organisation, complete=True)
    PreRegistration.objects.filter(pk=preregistration.pk).update(state="submitted")
    return dossier_for(call=call, organisation=organisation)


def mandate_data(n: int = 1, **overrides) -> dict:
    return {
        "enterprise_number": enterprise_number(n),
        "name": f"Bedrijf {n} BV",
        "postal_code": "9000",
        "municipality": "Gent",
        "is_sme": True,
        "contact_email": "",
        **overrides,
    }
