"""The public verification page: a reference and hash, or a receipt PDF."""

from django import forms
from django.utils.translation import gettext_lazy as _

from intake.web.forms.base import PortalForm


class ReceiptVerifyForm(PortalForm):
    reference = forms.CharField(label=_("reference"), max_length=40, help_text=_("For example IBN4-VA-0007 or IBN4-DS-0007-2."))
    sha256 = forms.RegexField(
        label=_("SHA-256"),
        regex=r"^\s*[0-9a-fA-F]{64}\s*$",
        error_messages={"invalid": _("A SHA-256 has 64 characters 0-9 and a-f.")},
    )


class ReceiptUploadForm(PortalForm):
    receipt = forms.FileField(label=_("receipt (PDF)"))
