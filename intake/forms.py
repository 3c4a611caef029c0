"""Forms: input parsing and field-level messages only. Rules that need the database or
the clock live in services and deadlines."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from intake.enums import Role
from intake.models import Organisation, PreRegistration
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
        proposal.widget.attrs.update({"data-char-limit": limit, "aria-describedby": "id_proposal_counter"})
        proposal.help_text = _("At most %(limit)d characters.") % {"limit": limit}
        for name in self.fields:
            self.fields[name].required = False
        self.fields["version"].required = True

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
