"""Form fields for what people in Belgium type: enterprise numbers and amounts."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

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


_THOUSANDS = re.compile(r"^-?\d{1,3}(\.\d{3})+$")


class EuroField(forms.DecimalField):
    """A number as people in Belgium type it: 225000, 225000,50, 225.000,50, € 225 000,50
    or 225000.50 (amounts, FTE, KPI targets). Shown with a decimal comma."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("required", False)
        kwargs.setdefault("localize", True)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")

    def to_python(self, value):
        if isinstance(value, str):
            text = value.replace("€", "").replace("\u00a0", "").replace("\u202f", "").replace(" ", "").strip()
            if "," in text:
                text = text.replace(".", "").replace(",", ".")  # 225.000,50: dots group thousands
            elif _THOUSANDS.match(text):
                text = text.replace(".", "")  # 225.000: a thousands separator, not cents
            value = text
        return super().to_python(value)


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
