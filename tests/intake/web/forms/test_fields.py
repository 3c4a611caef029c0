"""Form fields of intake.web.forms.fields: amounts typed as people in Belgium type them."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from intake.web.forms.fields import EuroField


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
    ],
)
def test_euro_field_accepts_amounts_as_typed_in_belgium(typed, amount):
    assert EuroField().clean(typed) == Decimal(amount)


@pytest.mark.parametrize("typed", ["abc", "12,5,0", "1.2.3,4,5"])
def test_euro_field_refuses_what_is_not_an_amount(typed):
    with pytest.raises(ValidationError):
        EuroField().clean(typed)
