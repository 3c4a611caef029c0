from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from intake.kernel.enums import DossierState
from intake.kernel.roles import REVIEWERS
from reviews.models import Admissibility, Outcome

PHASES = [("", _("all")), ("preregistration", _("pre-registrations only")), ("dossier", _("with a full dossier"))]
SORTS = [
    ("reference", _("reference")),
    ("organisation", _("organisation")),
    ("submitted", _("last submitted")),
    ("state", _("state")),
]


class ApplicationFilterForm(forms.Form):
    q = forms.CharField(label=_("search"), required=False, help_text=_("Organisation, enterprise number, reference or acronym."))
    phase = forms.ChoiceField(label=_("phase"), choices=PHASES, required=False)
    state = forms.ChoiceField(label=_("dossier state"), choices=[("", _("all")), *DossierState.choices], required=False)
    priority = forms.ModelChoiceField(label=_("policy priority"), queryset=None, required=False)
    admissibility = forms.ChoiceField(
        label=_("admissibility"), choices=[("", _("all")), *Admissibility.choices, ("open", _("not decided"))], required=False
    )
    mine = forms.BooleanField(label=_("assigned to me"), required=False)
    scored = forms.ChoiceField(
        label=_("scored by me"), choices=[("", _("all")), ("yes", _("yes")), ("no", _("no"))], required=False
    )
    sort = forms.ChoiceField(label=_("sort by"), choices=SORTS, required=False)

    def __init__(self, *args, call, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priority"].queryset = call.policy_priorities.all()


class ConflictForm(forms.Form):
    has_conflict = forms.TypedChoiceField(
        label=_("Do you have a conflict of interest with this organisation?"),
        choices=[("no", _("No, I have no conflict of interest")), ("yes", _("Yes, I have a conflict of interest"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("explanation (optional)"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class AdmissibilityForm(forms.Form):
    decision = forms.ChoiceField(label=_("decision"), choices=Admissibility.choices, widget=forms.RadioSelect)
    motivation = forms.CharField(label=_("motivation"), widget=forms.Textarea(attrs={"rows": 3}))


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("decision"), choices=Outcome.choices, widget=forms.RadioSelect)
    motivation = forms.CharField(label=_("motivation (the applicant reads it)"), widget=forms.Textarea(attrs={"rows": 4}))
    override_reason = forms.CharField(
        label=_("why approved although a threshold is not reached (only then)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


class AssignmentForm(forms.Form):
    reviewer = forms.ModelChoiceField(label=_("reviewer"), queryset=None)
    dossier_reference = forms.CharField(
        label=_("only this dossier (reference, optional)"), required=False, help_text=_("Leave empty for the whole call.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = get_user_model().objects.filter(groups__name=REVIEWERS).order_by("email")
        self.fields["reviewer"].label_from_instance = lambda user: user.email
