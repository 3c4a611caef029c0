"""Template filters for Belgian formats and Brussels time. They format; deadlines.py decides."""

from decimal import InvalidOperation

from django import template

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


@register.filter
def number(value):
    """2.50 → 2,5; 1250 → 1.250: a count or a target in Belgian notation."""
    try:
        return formatting.format_number(value)
    except (InvalidOperation, TypeError, ValueError):
        return value


@register.simple_tag
def phase_summaries(call, organisation=None):
    """{% phase_summaries call organisation as phases %} → phases.preregistration, phases.dossier"""
    return deadlines.call_summaries(call, organisation)
