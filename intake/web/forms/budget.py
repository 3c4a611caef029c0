"""The budget form: one row of amounts per project year."""

from django import forms
from django.utils.translation import gettext_lazy as _

from intake.web.forms.fields import EuroField


class BudgetYearForm(forms.Form):
    staff_costs = EuroField(label=_("staff costs"))
    operating_costs = EuroField(label=_("operating costs"))
    other_costs = EuroField(label=_("other costs"))
    member_contributions = EuroField(label=_("member contributions"))
    requested_subsidy = EuroField(label=_("requested subsidy"))


def budget_formset_class(years: int):
    """One form per project year; more posted forms than the call allows are refused."""
    return forms.formset_factory(BudgetYearForm, extra=0, max_num=years, absolute_max=years, validate_max=True)
