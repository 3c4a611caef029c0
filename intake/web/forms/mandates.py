"""Forms of the mandates page: one enterprise, and a CSV import."""

from django import forms
from django.utils.translation import gettext_lazy as _

from intake.web.forms.base import PortalForm


class MandateForm(PortalForm):
    """Input of one mandating enterprise; intake.mandates.mandate_clean validates it."""

    enterprise_number = forms.CharField(label=_("enterprise number"), max_length=20, help_text=_("For example 0403.019.261."))
    name = forms.CharField(label=_("name"), max_length=200)
    postal_code = forms.CharField(
        label=_("postal code of the establishment"), max_length=4, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    municipality = forms.CharField(label=_("municipality"), max_length=100, required=False)
    is_sme = forms.TypedChoiceField(
        label=_("SME"), choices=[("ja", _("yes")), ("nee", _("no"))], coerce=lambda v: v == "ja", initial="ja"
    )
    contact_email = forms.EmailField(label=_("contact e-mail"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class MandateImportForm(PortalForm):
    file = forms.FileField(label=_("CSV file"))
    import_good_rows = forms.BooleanField(
        label=_("If some rows have errors, import the good rows anyway (the others are listed so you can correct them)."),
        required=False,
    )
