"""The pre-registration form."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from intake.kernel.formatting import format_number
from intake.models import PreRegistration
from intake.web.forms.base import PortalModelForm
from intake.web.forms.fields import LoadedChoiceField


class PreRegistrationForm(PortalModelForm):
    """The draft form. Nothing is required to save a draft; completeness is checked when
    submitting. ``version`` carries the optimistic lock."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    # Not required to save a draft, but to submit: their labels say "(verplicht)".
    required_to_submit = PreRegistration.REQUIRED_FOR_SUBMIT

    class Meta:
        model = PreRegistration
        fields = PreRegistration.CONTENT_FIELDS
        widgets = {
            "proposal": forms.Textarea(attrs={"rows": 12}),
            "target_group": forms.Textarea(attrs={"rows": 3}),
            "planned_activities": forms.Textarea(attrs={"rows": 5}),
        }
        field_classes = {"policy_priority": LoadedChoiceField}

    def __init__(self, *args, call, **kwargs):
        super().__init__(*args, **kwargs)
        self.call = call
        # The call comes with its priorities, by name (selectors.calls): no query to check the choice.
        self.fields["policy_priority"].queryset = call.policy_priorities.all()
        self.fields["policy_priority"].loaded = list(call.policy_priorities.all())
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
        proposal.help_text = _("At most %(limit)s characters.") % {"limit": format_number(limit)}
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
                _("The project proposal has %(count)s characters; this call allows at most %(limit)s."),
                code="too_long",
                params={"count": format_number(len(text)), "limit": format_number(limit)},
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
