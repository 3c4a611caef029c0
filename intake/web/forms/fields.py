"""Form fields for what people in Belgium type: enterprise numbers, numbers and amounts."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from intake.kernel.formatting import format_number, parse_number
from intake.kernel.validators import normalise_enterprise_number


class EnterpriseNumberField(forms.CharField):
    """Accepts the forms people type (0403.019.261, BE 0403 019 261, 0403019261) and
    cleans to the canonical 10 digits."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("help_text", _("10 digits, for example 0403.019.261."))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return value
        return normalise_enterprise_number(value)


class BelgianNumberInput(forms.TextInput):
    """A text input (not type=number: that refuses "120.000,00" and loses what was typed)
    that shows a stored number the Belgian way; what someone typed is shown as typed."""

    places: int | None = None

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
            return format_number(value, places=self.places)
        return super().format_value(value)


class EuroInput(BelgianNumberInput):
    """An amount: "€" before the input, always two decimals ("120.000,00")."""

    template_name = "intake/widgets/euro.html"
    places = 2


class PercentInput(BelgianNumberInput):
    """A percentage: "%" after the input, no trailing zeros ("50", "33,5")."""

    template_name = "intake/widgets/percent.html"


class BelgianNumberField(forms.DecimalField):
    """A number as people in Belgium type it (FTE, KPI targets): 2,5, 1.500, 1 500 or 12.5;
    intake.kernel.formatting.parse_number decides what is a number. Optional by default:
    drafts are saved incomplete."""

    widget = BelgianNumberInput
    default_error_messages = {
        "invalid": _("“%(value)s” is not a number: write it as 1.500 or 2,5."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, str):
            try:
                return parse_number(value)
            except ValueError:
                raise ValidationError(self.error_messages["invalid"], code="invalid", params={"value": value}) from None
        return super().to_python(value)


class EuroField(BelgianNumberField):
    """An amount in euro: 120.000,00, 120000, 120 000,50 or € 120.000 — shown back as
    "€ 120.000,00"."""

    widget = EuroInput
    default_error_messages = {
        "invalid": _("“%(value)s” is not an amount: write it as 120.000,00 or 120000."),
    }


class PercentField(BelgianNumberField):
    """A percentage typed as 50, 33,5 or 33.5 — shown back as "50 %"."""

    widget = PercentInput


class LoadedChoiceField(forms.ModelChoiceField):
    """A choice among rows already loaded with the page's object (a call's prefetched
    policy priorities): the chosen value is looked up among ``loaded``, not with one more
    query per POST. (The queryset, which Django copies without its cached rows, still
    gives the choices a page shows.)"""

    loaded: list = ()

    def to_python(self, value):
        if value in self.empty_values:
            return None
        for choice in self.loaded:
            if str(choice.pk) == str(value):
                return choice
        raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
