"""Forms: input parsing and field-level messages only. Rules that need the database or
the clock live in services and deadlines."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from intake.enums import AttachmentKind, Role
from intake.models import Dossier, Organisation, PreRegistration
from intake.validators import normalise_enterprise_number


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


class OrganisationForm(forms.ModelForm):
    enterprise_number = EnterpriseNumberField(label=_("enterprise number"))

    class Meta:
        model = Organisation
        fields = [
            "name",
            "enterprise_number",
            "legal_form",
            "has_legal_personality",
            "street",
            "postal_code",
            "municipality",
            "website",
            "contact_name",
            "contact_email",
            "contact_phone",
        ]
        widgets = {"postal_code": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["has_legal_personality"].label = _(
            "I confirm that this organisation has legal personality (a requirement of the call)."
        )
        self.fields["has_legal_personality"].required = True
        if self.instance.pk:
            # The enterprise number identifies the organisation; it is not edited afterwards.
            self.fields["enterprise_number"].disabled = True

    def validate_unique(self):
        # Duplicates are the service's business: it tells the user who to ask instead of
        # a bare "already exists".
        pass


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("e-mail address of your colleague"))
    role = forms.ChoiceField(label=_("role"), choices=Role.choices, initial=Role.EDITOR)


class PreRegistrationForm(forms.ModelForm):
    """The draft form. Nothing is required to save a draft; completeness is checked when
    submitting. ``version`` carries the optimistic lock."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    class Meta:
        model = PreRegistration
        fields = PreRegistration.CONTENT_FIELDS
        widgets = {
            "proposal": forms.Textarea(attrs={"rows": 12}),
            "target_group": forms.Textarea(attrs={"rows": 3}),
            "planned_activities": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, call, **kwargs):
        super().__init__(*args, **kwargs)
        self.call = call
        self.fields["policy_priority"].queryset = call.policy_priorities.order_by("name")
        self.fields["policy_priority"].empty_label = _("— choose a policy priority —")
        limit = call.proposal_max_chars
        proposal = self.fields["proposal"]
        proposal.widget.attrs.update(
            {
                "data-char-limit": limit,
                "data-counter-template": _("{used} of {limit} characters"),
                "aria-describedby": "id_proposal_counter",
            }
        )
        proposal.help_text = _("At most %(limit)d characters.") % {"limit": limit}
        for name in self.fields:
            self.fields[name].required = False
        self.fields["version"].required = True
        # Bounded in the form: the model's own checks are skipped here (_post_clean), and
        # a 10-digit count would otherwise reach the database.
        for name in ("expected_member_count", "committed_member_count"):
            self.fields[name].max_value = 100_000
            self.fields[name].validators.append(MaxValueValidator(100_000))
            self.fields[name].widget.attrs["max"] = 100_000

    def clean_proposal(self):
        text = self.cleaned_data.get("proposal") or ""
        limit = self.call.proposal_max_chars
        if len(text) > limit:
            raise ValidationError(
                _("The project proposal has %(count)d characters; this call allows at most %(limit)d."),
                code="too_long",
                params={"count": len(text), "limit": limit},
            )
        return text

    def clean(self):
        cleaned = super().clean()
        expected, committed = cleaned.get("expected_member_count"), cleaned.get("committed_member_count")
        if expected is not None and committed is not None and committed > expected:
            self.add_error(
                "committed_member_count",
                ValidationError(
                    _("More companies committed than expected in total: check both numbers."), code="committed_gt_expected"
                ),
            )
        return cleaned

    def _post_clean(self):
        # The service applies the data to the locked row; don't touch the instance here.
        pass


# --- Full dossier -------------------------------------------------------------------------


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


class SectionForm(forms.ModelForm):
    """Base of the dossier's text sections: nothing is required to save a draft (the
    submit check lists what is missing); ``version`` carries the section's optimistic lock."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.required = name == "version"

    def _post_clean(self):
        pass  # the service applies the data to the locked row


class NetworkForm(SectionForm):
    class Meta:
        model = Dossier
        fields = ("theme", "priority_fit", "value_chain", "international_orientation", "additionality")
        widgets = {f: forms.Textarea(attrs={"rows": 5}) for f in fields}


class GovernanceForm(SectionForm):
    staff_fte = EuroField(label=_("staff (FTE)"), max_digits=6, decimal_places=2)

    class Meta:
        model = Dossier
        fields = ("board_composition", "staff_fte", "member_steering")
        widgets = {"board_composition": forms.Textarea(attrs={"rows": 4}), "member_steering": forms.Textarea(attrs={"rows": 5})}

    def clean_staff_fte(self):
        value = self.cleaned_data.get("staff_fte")
        if value is not None and value < 0:
            raise ValidationError(_("The number of FTE cannot be negative."), code="negative")
        return value


class DeclarationsForm(SectionForm):
    class Meta:
        model = Dossier
        fields = ("declaration_truthful", "declaration_data_processing")


class VersionForm(forms.Form):
    """The optimistic-lock version of a section edited through a formset."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class KpiForm(forms.Form):
    name = forms.CharField(label=_("indicator"), max_length=200)
    unit = forms.CharField(label=_("unit"), max_length=60, required=False)

    def __init__(self, *args, years: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.years = years
        for year in range(1, years + 1):
            self.fields[f"year_{year}"] = EuroField(label=_("target year %(year)d") % {"year": year}, max_digits=14)

    def targets(self) -> dict[int, object]:
        return {year: self.cleaned_data.get(f"year_{year}") for year in range(1, self.years + 1)}


class ActivityForm(forms.Form):
    year = forms.TypedChoiceField(label=_("year"), coerce=int)
    title = forms.CharField(label=_("activity"), max_length=200)
    description = forms.CharField(label=_("description"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, years: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, _("year %(year)d") % {"year": y}) for y in range(1, years + 1)]


KpiFormSet = forms.formset_factory(KpiForm, extra=2, can_delete=True)
ActivityFormSet = forms.formset_factory(ActivityForm, extra=2, can_delete=True)


class AttachmentUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind of document"), choices=AttachmentKind.choices)
    file = forms.FileField(label=_("file"), help_text=_("PDF for letters and documents; XLSX or ODS for the budget template."))


class MandateForm(forms.Form):
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


class MandateImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"))
    import_good_rows = forms.BooleanField(
        label=_("If some rows have errors, import the good rows anyway (the others are listed so you can correct them)."),
        required=False,
    )


class BudgetYearForm(forms.Form):
    staff_costs = EuroField(label=_("staff costs"))
    operating_costs = EuroField(label=_("operating costs"))
    other_costs = EuroField(label=_("other costs"))
    member_contributions = EuroField(label=_("member contributions"))
    requested_subsidy = EuroField(label=_("requested subsidy"))


def budget_formset_class(years: int):
    """One form per project year; more posted forms than the call allows are refused."""
    return forms.formset_factory(BudgetYearForm, extra=0, max_num=years, absolute_max=years, validate_max=True)


class ReceiptVerifyForm(forms.Form):
    reference = forms.CharField(label=_("reference"), max_length=40, help_text=_("For example IBN4-VA-0007 or IBN4-DS-0007-2."))
    sha256 = forms.RegexField(
        label=_("SHA-256"),
        regex=r"^\s*[0-9a-fA-F]{64}\s*$",
        error_messages={"invalid": _("A SHA-256 has 64 characters 0-9 and a-f.")},
    )


class ReceiptUploadForm(forms.Form):
    receipt = forms.FileField(label=_("receipt (PDF)"))
