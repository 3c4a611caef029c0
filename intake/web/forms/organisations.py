"""Forms of the organisation pages: the organisation itself and an invitation."""

from django import forms
from django.utils.translation import gettext_lazy as _

from intake.kernel.enums import Role
from intake.models import Organisation
from intake.web.forms.base import PortalForm, PortalModelForm
from intake.web.forms.fields import EnterpriseNumberField


class OrganisationForm(PortalModelForm):
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


class InvitationForm(PortalForm):
    email = forms.EmailField(label=_("e-mail address of your colleague"))
    role = forms.ChoiceField(label=_("role"), choices=Role.choices, initial=Role.EDITOR)


class EvidenceForm(PortalForm):
    file = forms.FileField(
        label=_("evidence (PDF)"),
        help_text=_("A mandate signed by a person who may represent the organisation, or its articles of association."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )


class JoinRequestForm(PortalForm):
    motivation = forms.CharField(
        label=_("who you are in the organisation"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ContestForm(PortalForm):
    motivation = forms.CharField(
        label=_("why the current claim is not right"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    file = forms.FileField(
        label=_("evidence that you act for this organisation (PDF)"),
        help_text=_("A mandate signed by a person who may represent the organisation, or its articles of association."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
