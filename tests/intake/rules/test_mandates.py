"""Mandating enterprises (intake.rules.mandates): the CSV parser against the shared
reference files, the Flemish Region boundaries, the template, and the count that decides
whether a dossier has its 30 Flemish enterprises, in a constant number of queries."""

import re

import pytest

from intake.models import Dossier, Mandate
from intake.rules.mandates import (
    MANDATE_CSV_COLUMNS,
    MAX_CSV_ROWS,
    mandate_checks,
    mandate_count,
    mandates_template_csv,
    parse_mandates_csv,
)
from intake.services.mandates import mandate_add, mandates_import_csv
from tests.intake.mandate_helpers import (
    DATA,
    EXPECTED_ERRORS,
    REFERENCE_WITH_ERRORS,
    VALID_FILES,
    codes,
    csv_bytes,
    enterprise_number,
    good_row,
    mandate_data,
    read,
)

# --- Parser: the reference files -------------------------------------------------------------


def test_parse_reference_file_gives_exactly_the_expected_errors():
    report = parse_mandates_csv(read(REFERENCE_WITH_ERRORS), existing_numbers=set())

    assert codes(report) == sorted(EXPECTED_ERRORS.items())
    assert len(report.rows) == 23
    assert report.file_errors == []
    assert {row.line for row in report.rows}.isdisjoint(EXPECTED_ERRORS)
    duplicate = next(error for error in report.errors if error.code == "duplicate_in_file")
    assert duplicate.params == {"line": 2}


def test_parse_reference_expected_file_lists_the_same_lines():
    # Guards EXPECTED_ERRORS against drifting from the shared expected report.
    expected_text = (DATA / "mandates_30_with_7_errors.expected.txt").read_text(encoding="utf-8")
    assert {int(n) for n in re.findall(r"^line (\d+):", expected_text, flags=re.MULTILINE)} == set(EXPECTED_ERRORS)
    assert "duplicate of line 2" in expected_text


@pytest.mark.parametrize("name", VALID_FILES)
def test_parse_valid_files_give_35_rows(name):
    report = parse_mandates_csv(read(name), existing_numbers=set())

    assert report.errors == []
    assert report.file_errors == []
    assert len(report.rows) == 35
    assert all(re.fullmatch(r"[01]\d{9}", row.enterprise_number) for row in report.rows)
    assert [row.line for row in report.rows] == list(range(2, 37))


def test_parse_semicolon_bom_and_comma_files_give_the_same_rows():
    semicolon, comma = (parse_mandates_csv(read(name), existing_numbers=set()).rows for name in VALID_FILES)
    assert semicolon == comma


def test_parse_lf_and_crlf_give_the_same_rows():
    crlf = read(VALID_FILES[0])
    lf = crlf.replace(b"\r\n", b"\n")
    assert b"\r" not in lf
    assert parse_mandates_csv(lf, existing_numbers=set()) == parse_mandates_csv(crlf, existing_numbers=set())


def test_parse_cleans_the_row():
    data = csv_bytes([("BE 0403 019 261", "  Voorbeeld NV ", " 2000 ", "Antwerpen", "NEE", "")])
    (row,) = parse_mandates_csv(data, existing_numbers=set()).rows
    assert (row.line, row.enterprise_number, row.name, row.postal_code, row.is_sme, row.contact_email) == (
        2,
        "0403019261",
        "Voorbeeld NV",
        "2000",
        False,
        "",
    )


# --- Parser: the file as a whole -------------------------------------------------------------


def test_parse_header_is_case_insensitive_and_trimmed_and_extra_columns_are_ignored():
    header = (" Ondernemingsnummer ", "NAAM", "Postcode", "gemeente", "KMO", "contact_email", "opmerking")
    data = csv_bytes([(*good_row(1), "lid sinds 2020")], header=header)
    report = parse_mandates_csv(data, existing_numbers=set())
    assert report.file_errors == []
    assert len(report.rows) == 1


def test_parse_missing_column_is_a_file_error():
    header = tuple(column for column in MANDATE_CSV_COLUMNS if column != "postcode")
    data = csv_bytes([tuple(v for v, c in zip(good_row(1), MANDATE_CSV_COLUMNS, strict=True) if c != "postcode")], header=header)

    report = parse_mandates_csv(data, existing_numbers=set())

    assert [error.code for error in report.file_errors] == ["missing_columns"]
    assert "postcode" in report.file_errors[0].message
    assert report.rows == []
    assert report.errors == []


def test_parse_without_header_is_a_file_error():
    data = "\r\n".join(";".join(good_row(n)) for n in range(3)).encode()
    report = parse_mandates_csv(data, existing_numbers=set())
    assert [error.code for error in report.file_errors] == ["missing_columns"]


def test_parse_non_utf8_is_an_encoding_error():
    # What Excel's plain "CSV (semicolon)" gives on a Belgian Windows: cp1252.
    data = csv_bytes([good_row(1, name="Brasserie Café")]).decode().encode("cp1252")

    report = parse_mandates_csv(data, existing_numbers=set())

    assert [error.code for error in report.file_errors] == ["encoding"]
    assert report.rows == []


def test_parse_empty_file_is_a_file_error():
    assert [e.code for e in parse_mandates_csv(b"", existing_numbers=set()).file_errors] == ["empty"]
    assert [e.code for e in parse_mandates_csv(b"\xef\xbb\xbf\r\n", existing_numbers=set()).file_errors] == ["empty"]


def test_parse_accepts_the_row_limit():
    report = parse_mandates_csv(csv_bytes([good_row(n) for n in range(MAX_CSV_ROWS)]), existing_numbers=set())
    assert report.file_errors == []
    assert len(report.rows) == MAX_CSV_ROWS


def test_parse_refuses_one_row_over_the_limit():
    report = parse_mandates_csv(csv_bytes([good_row(n) for n in range(MAX_CSV_ROWS + 1)]), existing_numbers=set())
    assert [error.code for error in report.file_errors] == ["too_many_rows"]
    assert report.rows == []


def test_parse_skips_blank_rows_but_keeps_spreadsheet_line_numbers():
    data = csv_bytes([good_row(1), ("", "", "", "", "", ""), good_row(2, postal_code="1000")]) + b"\r\n;;;;;\r\n"

    report = parse_mandates_csv(data, existing_numbers=set())

    assert [row.line for row in report.rows] == [2]
    assert codes(report) == [(4, "not_flemish_brussels")]


# --- Parser: rows ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("postal_code", "expected"),
    [
        ("0999", "postal_code_invalid"),
        ("1000", "not_flemish_brussels"),
        ("1299", "not_flemish_brussels"),
        ("1300", "not_flemish_wallonia"),
        ("1499", "not_flemish_wallonia"),
        ("1500", None),
        ("3999", None),
        ("4000", "not_flemish_wallonia"),
        ("7999", "not_flemish_wallonia"),
        ("8000", None),
        ("9999", None),
        ("900", "postal_code_invalid"),
        ("B-9000", "postal_code_invalid"),
        ("", "postal_code_invalid"),
    ],
)
def test_parse_flemish_region_boundaries(postal_code, expected):
    report = parse_mandates_csv(csv_bytes([good_row(1, postal_code=postal_code)]), existing_numbers=set())
    if expected is None:
        assert report.errors == []
        assert report.rows[0].postal_code == postal_code
    else:
        assert codes(report) == [(2, expected)]


@pytest.mark.parametrize(
    ("value", "is_sme"),
    [
        *[(value, True) for value in ("ja", "Ja", "j", "yes", "1", "TRUE", "WAAR")],
        *[(value, False) for value in ("nee", "N", "no", "0", "false", "ONWAAR")],
    ],
)
def test_parse_sme_spellings(value, is_sme):
    (row,) = parse_mandates_csv(csv_bytes([good_row(1, kmo=value)]), existing_numbers=set()).rows
    assert row.is_sme is is_sme


@pytest.mark.parametrize("value", ["", "misschien", "2"])
def test_parse_sme_unknown_is_an_error(value):
    report = parse_mandates_csv(csv_bytes([good_row(1, kmo=value)]), existing_numbers=set())
    assert codes(report) == [(2, "sme_invalid")]


def test_parse_invalid_email_is_an_error_and_empty_email_is_fine():
    data = csv_bytes([good_row(1, email="info@"), good_row(2, email="")])
    report = parse_mandates_csv(data, existing_numbers=set())
    assert codes(report) == [(2, "email_invalid")]
    assert [row.line for row in report.rows] == [3]


def test_parse_refuses_a_number_the_register_never_issues_naming_the_rule():
    """0000.000.097 passes the check digits, but no enterprise has a number below
    0200.000.000: it counts for no mandate, with a message that names the rule."""
    never_issued = ("0000.000.097", *good_row(2)[1:])
    report = parse_mandates_csv(csv_bytes([never_issued, good_row(3)]), existing_numbers=set())

    assert codes(report) == [(2, "enterprise_number_not_issued")]
    assert "0200.000.000" in str(report.errors[0].message)
    assert [row.line for row in report.rows] == [3]


def test_mandates_template_example_rows_are_valid():
    """A template downloaded and uploaded as it is imports its two examples."""
    report = parse_mandates_csv(mandates_template_csv().encode("utf-8"), existing_numbers=set())

    assert report.errors == []
    assert len(report.rows) == 2


def test_parse_reports_numbers_already_in_the_dossier():
    data = csv_bytes([good_row(1), good_row(2)])
    report = parse_mandates_csv(data, existing_numbers={enterprise_number(2)})
    assert codes(report) == [(3, "duplicate_in_dossier")]


def test_parse_gives_one_error_per_row_the_first_in_order():
    # Missing name, wrong check digit and a Brussels address: only the first is reported.
    row = ("0403.019.262", "", "1000", "Brussel", "x", "not-an-email")
    number_and_brussels = ("0403.019.262", "Naam BV", "1000", "Brussel", "ja", "")
    duplicate_and_brussels = (enterprise_number(1), "Naam BV", "1000", "Brussel", "ja", "")
    data = csv_bytes([good_row(1), row, number_and_brussels, duplicate_and_brussels])

    report = parse_mandates_csv(data, existing_numbers=set())

    assert codes(report) == [(3, "name_missing"), (4, "enterprise_number_checksum"), (5, "duplicate_in_file")]


def test_parse_duplicate_names_the_first_line_even_when_that_line_has_another_error():
    data = csv_bytes([good_row(1, postal_code="1000"), good_row(1)])
    report = parse_mandates_csv(data, existing_numbers=set())
    assert codes(report) == [(2, "not_flemish_brussels"), (3, "duplicate_in_file")]
    assert report.errors[1].params == {"line": 2}


def test_template_has_bom_semicolons_and_parses_cleanly():
    template = mandates_template_csv()

    assert template.startswith("\ufeff" + ";".join(MANDATE_CSV_COLUMNS) + "\r\n")
    report = parse_mandates_csv(template.encode("utf-8"), existing_numbers=set())
    assert report.errors == []
    assert report.file_errors == []
    assert len(report.rows) == 2


# --- Counting --------------------------------------------------------------------------------


def test_mandate_count_below_the_minimum(dossier, actor):
    for n in range(29):
        mandate_add(dossier_id=dossier.pk, data=mandate_data(n), actor=actor)
    count = mandate_count(dossier)
    assert (count.counted, count.is_enough) == (29, False)


def test_mandate_checks_flags_an_invalid_stored_number(dossier):
    # Data that bypassed the services (admin, a data fix) is checked again, not trusted.
    mandate = Mandate.objects.create(dossier=dossier, enterprise_number="0403019262", name="X", postal_code="9000")
    assert mandate_checks(mandate.enterprise_number, mandate.postal_code) == {
        "valid_number": False,
        "flemish": True,
        "counts": False,
        "registry": None,  # registry checks off
    }
    assert mandate_count(dossier).counted == 0


@pytest.mark.parametrize("number_of_mandates", [1, 31])
def test_mandate_count_queries_do_not_grow_with_mandates(dossier, actor, django_assert_max_num_queries, number_of_mandates):
    flemish = number_of_mandates - 1
    if flemish:
        mandates_import_csv(
            dossier_id=dossier.pk, data=csv_bytes([good_row(n) for n in range(flemish)]), import_good_rows=False, actor=actor
        )
    mandate_add(dossier_id=dossier.pk, data=mandate_data(999, postal_code="1000"), actor=actor)
    fresh = Dossier.objects.get(pk=dossier.pk)

    with django_assert_max_num_queries(2):
        count = mandate_count(fresh)

    assert (count.total, count.counted, count.not_flemish) == (number_of_mandates, flemish, 1)


def test_mandate_count_uses_prefetched_mandates_without_queries(dossier, actor, django_assert_num_queries):
    mandates_import_csv(dossier_id=dossier.pk, data=read(VALID_FILES[0]), import_good_rows=False, actor=actor)
    fresh = Dossier.objects.select_related("call").prefetch_related("mandates").get(pk=dossier.pk)

    with django_assert_num_queries(0):
        assert mandate_count(fresh).counted == 35
