"""Form fields of intake.web.forms.fields: numbers and amounts typed as people in Belgium
type them, refused with a clear message when they are not, and shown back the Belgian way."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from intake.web.forms.budget import BudgetYearForm
from intake.web.forms.fields import BelgianNumberField, EuroField


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("125000", "125000"),
        ("125000,50", "125000.50"),
        ("125.000,50", "125000.50"),
        ("€ 125.000,50", "125000.50"),
        ("125 000,50", "125000.50"),
        ("125\u00a0000,50", "125000.50"),
        ("225.000", "225000"),
        ("125000.50", "125000.50"),
        ("120.000,00", "120000"),
        ("€ 120.000", "120000"),
        ("€120.000", "120000"),
        ("1.234.567,89", "1234567.89"),
    ],
)
def test_euro_field_accepts_amounts_as_typed_in_belgium(typed, amount):
    assert EuroField().clean(typed) == Decimal(amount)


@pytest.mark.parametrize("typed", ["abc", "12,5,0", "1.2.3,4,5", "1,234.56", "120.00,50", "12 0,5", "€", "1e5"])
def test_euro_field_refuses_what_is_not_an_amount_with_a_dutch_message(typed):
    with translation.override("nl"), pytest.raises(ValidationError) as refused:
        EuroField().clean(typed)
    assert refused.value.messages == [f"„{typed}” is geen bedrag: schrijf het als 120.000,00 of 120000."]


def test_number_field_says_number_not_amount():
    with translation.override("nl"), pytest.raises(ValidationError) as refused:
        BelgianNumberField().clean("twee")
    assert refused.value.messages == ["„twee” is geen getal: schrijf het als 1.500 of 2,5."]
    assert BelgianNumberField().clean("2,5") == Decimal("2.5")


def test_a_stored_amount_is_shown_the_belgian_way_with_a_euro_sign():
    html = str(BudgetYearForm(initial={"staff_costs": Decimal("120000.00")})["staff_costs"])

    assert 'value="120.000,00"' in html
    assert '<span class="input-group-text">€</span>' in html
    assert 'type="text"' in html and 'inputmode="decimal"' in html


def test_a_refused_amount_is_shown_as_typed_and_marked_invalid():
    form = BudgetYearForm({"staff_costs": "12,5,0"})

    assert not form.is_valid()
    html = str(form["staff_costs"])
    assert 'value="12,5,0"' in html
    assert 'aria-invalid="true"' in html and 'aria-describedby="id_staff_costs_error"' in html


def test_a_number_that_is_not_an_amount_has_no_euro_sign():
    field = BelgianNumberField()
    html = field.widget.render("staff_fte", Decimal("2.50"))

    assert 'value="2,5"' in html and "€" not in html
