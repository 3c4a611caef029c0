"""Dates, times, amounts and percentages as people in Belgium write them (intake.kernel.formatting)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import translation

from intake.kernel.formatting import (
    BRUSSELS,
    format_amount,
    format_brussels,
    format_euro,
    format_fte,
    format_instant,
    format_number,
    format_offset,
    format_percent,
    parse_number,
)
from intake.templatetags.portal import euro, reference

D = Decimal


def test_format_brussels_winter_and_summer():
    with translation.override("nl"):
        # 11:00 UTC on 23 January is 12:00 in Brussels (CET, UTC+1)
        assert format_brussels(datetime(2026, 1, 23, 11, 0, tzinfo=UTC)) == "23 januari 2026 om 12:00"
        # 10:00 UTC on 11 May is 12:00 in Brussels (CEST, UTC+2)
        assert format_brussels(datetime(2026, 5, 11, 10, 0, tzinfo=UTC)) == "11 mei 2026 om 12:00"
    with translation.override("en"):
        assert format_brussels(datetime(2026, 5, 11, 12, 0, tzinfo=BRUSSELS)) == "11 May 2026 at 12:00"


def test_format_instant_has_seconds_and_offset():
    with translation.override("nl"):
        assert (
            format_instant(datetime(2026, 1, 23, 11, 59, 59, 999999, tzinfo=BRUSSELS))
            == "23 januari 2026 om 11:59:59 (UTC+01:00)"
        )
        assert format_instant(datetime(2026, 5, 11, 11, 0, 0, tzinfo=BRUSSELS)) == "11 mei 2026 om 11:00:00 (UTC+02:00)"


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (D("225000"), "€ 225.000,00"),
        (D("225000.00"), "€ 225.000,00"),
        (D("120000.01"), "€ 120.000,01"),
        (D("1234567.89"), "€ 1.234.567,89"),
        (D("0.5"), "€ 0,50"),
        (D("0"), "€ 0,00"),
        (D("999.99"), "€ 999,99"),
        (D("-5"), "-€ 5,00"),
        (225000, "€ 225.000,00"),
    ],
)
def test_format_euro_is_belgian(amount, text):
    assert format_euro(amount) == text
    assert euro(amount) == text  # the template filter writes amounts the same way


@pytest.mark.parametrize(
    ("rate", "text"), [(D("50.00"), "50 %"), (D("33.50"), "33,5 %"), (D("12.25"), "12,25 %"), (D("100"), "100 %")]
)
def test_format_percent_is_belgian(rate, text):
    assert format_percent(rate) == text


@pytest.mark.parametrize(
    ("value", "places", "text"),
    [
        (6000, None, "6.000"),
        (D("2.50"), None, "2,5"),
        (D("120000"), 2, "120.000,00"),
        (D("-1234.5"), None, "-1.234,5"),
        (0, None, "0"),
    ],
)
def test_format_number_groups_thousands_with_dots(value, places, text):
    assert format_number(value, places=places) == text


def test_format_amount_is_what_an_amount_input_shows():
    assert format_amount(D("120000")) == "120.000,00"
    assert format_amount(D("0.5")) == "0,50"


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("120.000,00", "120000"),
        ("120000", "120000"),
        ("120 000,50", "120000.50"),
        ("€ 120.000", "120000"),
        ("2,5", "2.5"),
        ("12.5", "12.5"),
        ("225.000", "225000"),
        ("-5", "-5"),
    ],
)
def test_parse_number_reads_what_people_in_belgium_type(typed, number):
    assert parse_number(typed) == D(number)


@pytest.mark.parametrize("typed", ["", "abc", "1,234.56", "12,5,0", "120.00,50", "12 0,5", "--5", "1e5", "0x10"])
def test_parse_number_refuses_rather_than_guesses(typed):
    with pytest.raises(ValueError):
        parse_number(typed)


@pytest.mark.parametrize(
    ("offset", "dutch", "english"),
    [
        (timedelta(days=7), "7 dagen", "7 days"),
        (timedelta(days=1), "1 dag", "1 day"),
        (timedelta(hours=3), "3 uur", "3 hours"),
        (timedelta(hours=36), "36 uur", "36 hours"),
        (timedelta(minutes=90), "90 minuten", "90 minutes"),
    ],
)
def test_format_offset_says_the_configured_offset(offset, dutch, english):
    with translation.override("nl"):
        assert format_offset(offset) == dutch
    with translation.override("en"):
        assert format_offset(offset) == english


def test_a_reference_never_breaks_at_its_hyphens():
    assert reference("IBN4-DS-0001-1") == '<span class="reference">IBN4-DS-0001-1</span>'


@pytest.mark.parametrize(
    ("value", "text"),
    [(D("2.50"), "2,5"), ("2.50", "2,5"), (D("100"), "100"), (D("1250.00"), "1.250"), (D("0.125"), "0,125"), (-3, "-3")],
)
def test_format_number_is_belgian_without_trailing_zeros(value, text):
    assert format_number(value) == text


def test_format_fte_says_vte_in_dutch_and_fte_in_english():
    with translation.override("nl"):
        assert format_fte("2.50") == "2,5 VTE"
    with translation.override("en"):
        assert format_fte("2.50") == "2,5 FTE"
