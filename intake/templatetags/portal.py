"""Template filters for Belgian formats and Brussels time. They format; deadlines.py decides."""

from decimal import InvalidOperation

from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from intake import deadlines
from intake.kernel import formatting
from intake.kernel.validators import format_enterprise_number

register = template.Library()


@register.filter
def brussels(value):
    return formatting.format_brussels(value)


@register.filter
def brussels_long(value):
    return formatting.format_brussels_long(value)


@register.filter
def instant(value):
    return formatting.format_instant(value)


@register.filter
def duration(value):
    return formatting.format_duration(value)


@register.filter
def offset(value):
    """A reminder offset as configured: 7 dagen, 3 uur."""
    return formatting.format_offset(value) if value else ""


@register.filter
def iso(value):
    """ISO 8601 in Brussels time, for <time datetime> and the countdown script."""
    return formatting.to_brussels(value).isoformat() if value else ""


@register.filter
def enterprise_number(value):
    return format_enterprise_number(value)


@register.filter
def euro(value):
    """€ 225.000,00 — Belgian grouping and decimal comma, whatever the language."""
    try:
        return formatting.format_euro(value)
    except (InvalidOperation, TypeError, ValueError):
        return value


@register.filter
def amount(value):
    """An amount in euro (€ 225.000,00) that never breaks between the sign and the digits,
    for running text where a line may end anywhere (the receipt's budget lines)."""
    text = euro(value)
    return format_html('<span class="amount">{}</span>', text) if text not in (None, "") else ""


@register.filter
def number(value):
    """6000 → 6.000 (a limit, a count), 2.50 → 2,5: a count or a target in Belgian notation."""
    try:
        return formatting.format_number(value)
    except (InvalidOperation, TypeError, ValueError):
        return value


@register.filter
def reference(value):
    """A reference (IBN4-DS-0001-1) that never breaks at its hyphens."""
    return format_html('<span class="reference">{}</span>', value) if value else ""


@register.simple_tag
def phase_summaries(call, organisation=None):
    """{% phase_summaries call organisation as phases %} → phases.preregistration, phases.dossier"""
    return deadlines.call_summaries(call, organisation)


def _form_errors(form, row: str = "") -> list[dict]:
    """(target id, label, message) of each error of a bound form: a field's errors link to
    the field, the form's own errors (and a hidden field's) to its first visible field."""
    if not getattr(form, "is_bound", False):  # not given ("" in a template) or not posted
        return []
    visible = form.visible_fields()
    first = visible[0].id_for_label if visible else ""
    items = []
    general = list(form.non_field_errors()) + [e for bf in form.hidden_fields() for e in bf.errors]
    for message in general:
        items.append({"target": first, "label": row, "message": message})
    for bf in visible:
        label = getattr(bf, "plain_label", bf.label)
        for message in bf.errors:
            items.append({"target": bf.id_for_label, "label": f"{row} – {label}" if row else label, "message": message})
    return items


@register.inclusion_tag("intake/_error_summary.html")
def error_summary(*forms, title="", row_label=""):
    """{% error_summary form formset ... %}: the one error summary of every applicant form.
    After a refused POST the page opens with it: focused, announced (role="alert"), each
    error a link to its field. Formsets list their rows as "<row_label> n – field"."""
    items = []
    for form in forms:
        if hasattr(form, "forms") and hasattr(form, "non_form_errors"):  # a formset
            if not form.is_bound:
                continue
            rows = form.forms
            first = rows[0].visible_fields()[0].id_for_label if rows and rows[0].visible_fields() else ""
            items += [{"target": first, "label": "", "message": m} for m in form.non_form_errors()]
            for number, row in enumerate(rows, start=1):
                name = f"{row_label} {number}" if row_label else _("Row %(n)s") % {"n": number}
                items += _form_errors(row, name)
        else:
            items += _form_errors(form)
    return {"items": items, "title": title or _("Nothing was saved. Correct the following:")}


@register.simple_tag
def content_lang():
    """` lang="nl"` on what call managers write (a call's title, summary and rules, policy
    priorities): it is in the portal's own language whatever the interface language, and a
    screen reader must read it as such (WCAG 3.1.2). Nothing when the interface is Dutch."""
    content = settings.LANGUAGE_CODE.split("-")[0]
    if (get_language() or content).split("-")[0] == content:
        return ""
    return format_html(' lang="{}"', content)
