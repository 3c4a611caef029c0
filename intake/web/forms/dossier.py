"""Forms of the dossier's sections: the text sections, the KPIs and the action plan, and the
version that carries a section's optimistic lock."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from intake.kernel.enums import DossierSection
from intake.models import SECTION_FIELDS, Dossier
from intake.web.forms.base import PortalForm, PortalModelForm
from intake.web.forms.fields import BelgianNumberField


class SectionForm(PortalModelForm):
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
        # The order the applicant fills them in, which the reviewers' page follows too.
        fields = SECTION_FIELDS[DossierSection.NETWORK]
        widgets = {f: forms.Textarea(attrs={"rows": 5}) for f in fields}


class GovernanceForm(SectionForm):
    staff_fte = BelgianNumberField(label=_("staff (FTE)"), max_digits=6, decimal_places=2)

    class Meta:
        model = Dossier
        fields = SECTION_FIELDS[DossierSection.GOVERNANCE]
        widgets = {"board_composition": forms.Textarea(attrs={"rows": 4}), "member_steering": forms.Textarea(attrs={"rows": 5})}

    def clean_staff_fte(self):
        value = self.cleaned_data.get("staff_fte")
        if value is not None and value < 0:
            raise ValidationError(_("The number of FTE cannot be negative."), code="negative")
        return value


class DeclarationsForm(SectionForm):
    class Meta:
        model = Dossier
        fields = SECTION_FIELDS[DossierSection.DECLARATIONS]


class VersionForm(PortalForm):
    """The optimistic-lock version of a section edited through a formset."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class KpiForm(PortalForm):
    name = forms.CharField(label=_("indicator"), max_length=200)
    unit = forms.CharField(label=_("unit"), max_length=60, required=False)

    def __init__(self, *args, years: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.years = years
        for year in range(1, years + 1):
            self.fields[f"year_{year}"] = BelgianNumberField(label=_("target year %(year)d") % {"year": year}, max_digits=14)

    def targets(self) -> dict[int, object]:
        return {year: self.cleaned_data.get(f"year_{year}") for year in range(1, self.years + 1)}


class ActivityForm(PortalForm):
    year = forms.TypedChoiceField(label=_("year"), coerce=int)
    title = forms.CharField(label=_("activity"), max_length=200)
    description = forms.CharField(label=_("description"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, years: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, _("year %(year)d") % {"year": y}) for y in range(1, years + 1)]

    def has_changed(self):
        # The year select has no empty choice, so an untouched blank row posts year 1 too:
        # only what the user typed makes a row. A row without a title (nor a description,
        # which is kept so that typed text is never dropped unseen) is an empty row.
        return any(name in self.changed_data for name in ("title", "description"))


KpiFormSet = forms.formset_factory(KpiForm, extra=2, can_delete=True)


ActivityFormSet = forms.formset_factory(ActivityForm, extra=2, can_delete=True)
