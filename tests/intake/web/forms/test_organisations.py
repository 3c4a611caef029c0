"""The organisation form speaks Dutch to the last option: the blank choice of a select
built from model choices is "— kies —", not Django's English "- Select an option -"."""

from django.utils import translation

from intake.web.forms.organisations import OrganisationForm


def test_the_blank_choice_of_the_legal_form_is_dutch():
    with translation.override("nl"):
        blank = next(iter(OrganisationForm().fields["legal_form"].choices))

    assert blank == ("", "— kies —")
