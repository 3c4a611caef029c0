"""Template filters for Belgian formats and Brussels time. They format; deadlines.py decides."""

from decimal import InvalidOperation

from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.translation import get_language

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


@register.simple_tag
def phase_summaries(call, organisation=None):
    """{% phase_summaries call organisation as phases %} → phases.preregistration, phases.dossier"""
    return deadlines.call_summaries(call, organisation)


@register.simple_tag
def content_lang():
    """` lang="nl"` on what call managers write (a call's title, summary and rules, policy
    priorities): it is in the portal's own language whatever the interface language, and a
    screen reader must read it as such (WCAG 3.1.2). Nothing when the interface is Dutch."""
    content = settings.LANGUAGE_CODE.split("-")[0]
    if (get_language() or content).split("-")[0] == content:
        return ""
    return format_html(' lang="{}"', content)
