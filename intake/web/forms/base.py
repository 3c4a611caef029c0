"""What every applicant form shares: required fields say "(verplicht)" in their label, and
every form and formset can be listed by the one error summary (portal's error_summary tag)."""

from django import forms
from django.forms.boundfield import BoundField
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _


class MarkedBoundField(BoundField):
    """A field whose label says "(verplicht)" when it must be filled in: to save (the field
    is required) or to submit (its form lists it in ``required_to_submit``). The words, not
    crispy's bare asterisk, which a screen reader reads as "star" and many people do not
    understand; ``plain_label`` is the label without them, for the error summary."""

    def __init__(self, form, field, name):
        super().__init__(form, field, name)
        self.plain_label = self.label
        needed = field.required or name in getattr(form, "required_to_submit", ())
        if needed and not field.disabled and not self.is_hidden and self.label:
            self.label = format_html('{} <span class="required-mark">({})</span>', self.label, _("required"))

    def build_widget_attrs(self, attrs, widget=None):
        # A widget that names its own description (the proposal's live counter) keeps it,
        # and still points at its help text and its error message, as Django does otherwise.
        attrs = super().build_widget_attrs(attrs, widget)
        own = (widget or self.field.widget).attrs.get("aria-describedby")
        if own and self.auto_id:
            ids = own.split()
            if self.help_text:
                ids.append(f"{self.auto_id}_helptext")
            if self.errors:
                ids.append(f"{self.auto_id}_error")
            attrs["aria-describedby"] = " ".join(dict.fromkeys(ids))
        return attrs


class MarksRequired:
    """Mixed into every applicant form (before forms.Form / forms.ModelForm)."""

    bound_field_class = MarkedBoundField


class PortalForm(MarksRequired, forms.Form):
    pass


class PortalModelForm(MarksRequired, forms.ModelForm):
    pass
