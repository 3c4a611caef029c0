"""Enterprise numbers (KBO/BCE) and postal codes: the rules of DESIGN.md §2, checked
against the shared test data (copied into tests/intake/data/ so the tests stand alone)."""

import csv
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from intake.kernel.validators import (
    format_enterprise_number,
    is_flemish_postal_code,
    normalise_enterprise_number,
    validate_belgian_postal_code,
    validate_enterprise_number,
)

DATA = Path(__file__).resolve().parents[1] / "data"


def _rows(name):
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


ENTERPRISE_ROWS = _rows("enterprise_numbers.csv")
POSTAL_ROWS = _rows("postal_codes.csv")

# The error code each invalid row of enterprise_numbers.csv must produce, keyed by its "why".
EXPECTED_CODE_BY_WHY = {
    "check digit": "enterprise_number_checksum",
    "establishment unit number (first digit 2-8)": "enterprise_number_first_digit",
    "length (8 digits)": "enterprise_number_length",
    "letter O instead of zero": "enterprise_number_format",
    "empty": "required",
    "below 0200.000.000 (never issued)": "enterprise_number_not_issued",
}


def test_enterprise_numbers_csv_covers_every_kind_of_error():
    # Guards the parametrisation below: a renamed "why" must not silently drop a case.
    invalid_whys = {row["why"] for row in ENTERPRISE_ROWS if row["valid"] == "no"}
    assert invalid_whys == set(EXPECTED_CODE_BY_WHY)
    assert sum(row["valid"] == "yes" for row in ENTERPRISE_ROWS) == 6


@pytest.mark.parametrize("row", [r for r in ENTERPRISE_ROWS if r["valid"] == "yes"], ids=lambda r: f"{r['input']!r}-{r['why']}")
def test_normalise_enterprise_number_valid_row_gives_canonical_form(row):
    canonical = normalise_enterprise_number(row["input"])

    assert canonical == row["canonical"]
    assert len(canonical) == 10
    assert canonical.isdigit()
    # The canonical form is a fixed point and passes the model-level validator.
    assert normalise_enterprise_number(canonical) == canonical
    validate_enterprise_number(canonical)


@pytest.mark.parametrize("row", [r for r in ENTERPRISE_ROWS if r["valid"] == "no"], ids=lambda r: f"{r['input']!r}-{r['why']}")
def test_normalise_enterprise_number_invalid_row_raises_with_code(row):
    with pytest.raises(ValidationError) as excinfo:
        normalise_enterprise_number(row["input"])

    assert excinfo.value.code == EXPECTED_CODE_BY_WHY[row["why"]]


@pytest.mark.parametrize("value", [None, "   ", "\t"])
def test_normalise_enterprise_number_blank_is_required(value):
    with pytest.raises(ValidationError) as excinfo:
        normalise_enterprise_number(value)

    assert excinfo.value.code == "required"


@pytest.mark.parametrize("value", ["be0403019261", "BE-0403-019-261", " 0403 019 261 "])
def test_normalise_enterprise_number_accepts_other_typed_forms(value):
    assert normalise_enterprise_number(value) == "0403019261"


def test_normalise_enterprise_number_11_digits_is_a_length_error():
    with pytest.raises(ValidationError) as excinfo:
        normalise_enterprise_number("04030192610")

    assert excinfo.value.code == "enterprise_number_length"


def test_validate_enterprise_number_refuses_a_non_canonical_form():
    # The model stores 10 digits only; the dotted form is for people.
    with pytest.raises(ValidationError) as excinfo:
        validate_enterprise_number("0403.019.261")

    assert excinfo.value.code == "enterprise_number_not_canonical"


@pytest.mark.parametrize(
    ("canonical", "expected"),
    [
        ("0403019261", "0403.019.261"),
        ("1000000120", "1000.000.120"),
        ("", ""),
        (None, ""),
        ("12345", "12345"),  # not canonical: shown as stored rather than mangled
    ],
)
def test_format_enterprise_number(canonical, expected):
    assert format_enterprise_number(canonical) == expected


@pytest.mark.parametrize("row", [r for r in ENTERPRISE_ROWS if r["valid"] == "yes"], ids=lambda r: r["input"])
def test_format_enterprise_number_round_trips_through_normalise(row):
    formatted = format_enterprise_number(normalise_enterprise_number(row["input"]))

    assert formatted == f"{row['canonical'][:4]}.{row['canonical'][4:7]}.{row['canonical'][7:]}"
    assert normalise_enterprise_number(formatted) == row["canonical"]


@pytest.mark.parametrize("row", POSTAL_ROWS, ids=lambda r: f"{r['postcode']}-{r['why']}")
def test_is_flemish_postal_code_csv_row(row):
    assert is_flemish_postal_code(row["postcode"]) is (row["flemish_region"] == "yes")


@pytest.mark.parametrize(
    ("postcode", "flemish"),
    [
        ("1000", False),  # Brussels
        ("1299", False),  # Brussels, last code
        ("1499", False),  # Walloon Brabant, last code
        ("1500", True),  # Flemish Brabant, first code
        ("3999", True),  # Limburg, last code
        ("4000", False),  # Liège, first code
        ("7999", False),  # Hainaut, last code
        ("8000", True),  # West Flanders, first code
    ],
)
def test_is_flemish_postal_code_region_boundaries(postcode, flemish):
    assert is_flemish_postal_code(postcode) is flemish


@pytest.mark.parametrize("value", ["", None, "abcd", "15OO", "0999", "2000 "])
def test_is_flemish_postal_code_garbage_is_not_flemish(value):
    assert is_flemish_postal_code(value) is False


@pytest.mark.parametrize("value", ["1000", "1299", "1500", "4000", "7999", "9999"])
def test_validate_belgian_postal_code_accepts_four_digits_from_1000(value):
    assert validate_belgian_postal_code(value) is None


@pytest.mark.parametrize("value", ["", None, "999", "0999", "0000", "10000", "abcd", "1O00", "B-1000", "1 000"])
def test_validate_belgian_postal_code_refuses(value):
    with pytest.raises(ValidationError) as excinfo:
        validate_belgian_postal_code(value)

    assert excinfo.value.code == "postal_code"


@pytest.mark.parametrize(
    "value",
    [
        "2000\n",  # `$` also matches before a trailing newline
        "\u0662\u0660\u0660\u0660",  # Arabic-Indic digits: `\d` matches them, int() parses them as 2000
        "\uff12\uff10\uff10\uff10",  # full-width digits
    ],
    ids=["trailing-newline", "arabic-indic-digits", "fullwidth-digits"],
)
def test_postal_code_rules_accept_only_ascii_digits(value):
    # A postal code is four ASCII digits, nothing else; these look like 2000 (Antwerp)
    # to Python's regex and int(), but are not a Belgian postal code.
    with pytest.raises(ValidationError) as excinfo:
        validate_belgian_postal_code(value)
    assert excinfo.value.code == "postal_code"
    assert is_flemish_postal_code(value) is False
