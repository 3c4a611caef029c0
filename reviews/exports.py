"""Exports of the filtered application list: CSV that Excel in a Belgian locale opens
as it is (UTF-8 with BOM, semicolons, decimal commas) and XLSX."""

import csv
import io
import unicodedata

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext as _
from openpyxl import Workbook

from intake.kernel.formatting import format_instant
from intake.kernel.validators import format_enterprise_number


def _columns():
    return [
        _("Reference"),
        _("Organisation"),
        _("Enterprise number"),
        _("Acronym"),
        _("Network"),
        _("Policy priority"),
        _("Pre-registration"),
        _("Dossier reference"),
        _("Dossier state"),
        _("Dossier submitted on"),
        _("Score sheets submitted"),
        _("Decision"),
    ]


def related_or_none(obj, name: str):
    """A reverse one-to-one that may be absent (a pre-registration's dossier, a dossier's
    decision), read from select_related without raising."""
    try:
        return getattr(obj, name)
    except ObjectDoesNotExist:
        return None


def rows_for_export(applications) -> list[list]:
    rows = []
    for a in applications:
        dossier = related_or_none(a, "dossier")
        decision = related_or_none(dossier, "decision") if dossier else None
        rows.append(
            [
                a.reference,
                a.organisation.name,
                format_enterprise_number(a.organisation.enterprise_number),
                a.acronym,
                a.network_name,
                a.policy_priority.name if a.policy_priority else "",
                a.get_state_display(),
                a.dossier_reference or "",
                dossier.get_state_display() if dossier else "",
                format_instant(a.dossier_submitted_at) if a.dossier_submitted_at else "",
                a.sheets_submitted,
                decision.get_outcome_display() if decision else "",
            ]
        )
    return [[_inert(value) for value in row] for row in rows]


_FORMULA_START = frozenset("=+-@")


def _starts_a_formula(text: str) -> bool:
    """Spreadsheets skip leading blanks (a space, a newline, a no-break space, a tab, an
    invisible format character) before they look for a formula, and some read full-width
    and small forms (＝, ﹢, ＠) as = + @: a cell is a formula when its first visible
    character, in compatibility form, is one of = + - @. A tab or carriage return at the
    very start is refused too: it shifts cells when the CSV is pasted."""
    if text.startswith(("\t", "\r")):
        return True
    visible = text.lstrip()
    while visible and unicodedata.category(visible[0]) in ("Cc", "Cf"):
        visible = visible[1:].lstrip()
    return bool(visible) and unicodedata.normalize("NFKC", visible[0])[:1] in _FORMULA_START


def _inert(value):
    """Applicant text must never run as a spreadsheet formula (CSV/XLSX injection)."""
    if isinstance(value, str) and _starts_a_formula(value):
        return "'" + value
    return value


def csv_bytes(applications) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(_columns())
    writer.writerows(rows_for_export(applications))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(applications, *, title: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "export")
    sheet.append(_columns())
    for row in rows_for_export(applications):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
