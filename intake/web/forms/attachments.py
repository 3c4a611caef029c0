"""The upload form of the attachments page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from intake.kernel.enums import AttachmentKind
from intake.web.forms.base import PortalForm


class AttachmentUploadForm(PortalForm):
    kind = forms.ChoiceField(label=_("kind of document"), choices=AttachmentKind.choices)
    file = forms.FileField(label=_("file"), help_text=_("PDF for letters and documents; XLSX or ODS for the budget template."))
