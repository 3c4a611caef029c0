"""The budget form: one row of amounts per project year."""

from django import forms
from django.utils.translation import gettext_lazy as _

from intake.rules.budget import AMOUNT_FIELDS, beyond_duration_message
from intake.web.forms.base import PortalForm
from intake.web.forms.fields import EuroField


class BudgetYearForm(PortalForm):
    staff_costs = EuroField(label=_("staff costs"))
    operating_costs = EuroField(label=_("operating costs"))
    other_costs = EuroField(label=_("other costs"))
    member_contributions = EuroField(label=_("member contributions"))
    requested_subsidy = EuroField(label=_("requested subsidy"))


class BudgetFormSet(forms.BaseFormSet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # More year forms than the call has years (a crafted POST, or a page opened before
        # the call was shortened) is the duration rule, and says so, instead of Django's
        # "Please submit at most 3 forms". Formatted here: Django adds only %(num)d.
        message = beyond_duration_message(self.max_num, self.max_num + 1)
        self.error_messages["too_many_forms"] = message.replace("%", "%%")

    def filled_years(self) -> list[dict]:
        """The years as the budget service takes them: a year counts when any amount is
        filled in (empty trailing years are left out); an empty amount is 0."""
        return [
            {"year": number, **{f: form.cleaned_data.get(f) or 0 for f in AMOUNT_FIELDS}}
            for number, form in enumerate(self.forms, start=1)
            if any(form.cleaned_data.get(f) not in (None, "") for f in AMOUNT_FIELDS)
        ]


def budget_formset_class(years: int):
    """One form per project year; more posted forms than the call allows are refused."""
    return forms.formset_factory(
        BudgetYearForm, formset=BudgetFormSet, extra=0, max_num=years, absolute_max=years, validate_max=True
    )
