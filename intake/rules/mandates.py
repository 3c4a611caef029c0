"""Mandating enterprises (section 5 of the full dossier): the CSV format and its parsing, the
check of one manually entered enterprise, and the count that decides whether a dossier
meets the call's minimum (DESIGN.md §2: at least ``Call.min_mandating_enterprises``
Flemish enterprises).

Parsing is pure (bytes in, report out) so that it can be tested and shown as a preview
without touching the database; intake.services.mandates does the writes."""

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from intake.kernel.validators import (
    format_enterprise_number,
    is_flemish_postal_code,
    is_valid_enterprise_number,
    normalise_enterprise_number,
    validate_belgian_postal_code,
)
from intake.models import Mandate

# The documented columns, in the order of the downloadable template. Dutch, because the
# applicants' spreadsheets are Dutch; the code speaks English.
MANDATE_CSV_COLUMNS = ("ondernemingsnummer", "naam", "postcode", "gemeente", "kmo", "contact_email")


# Municipality and e-mail are optional on the model too; a file without those columns is
# still importable. The other four are needed to decide whether a row counts.
REQUIRED_CSV_COLUMNS = ("ondernemingsnummer", "naam", "postcode", "kmo")


MAX_CSV_ROWS = 2000


# Besides ja/nee and the English and digit forms, Excel writes booleans in the user's
# locale: WAAR/ONWAAR in Dutch, VRAI/FAUX in French (Belgian spreadsheets are either).
_SME_VALUES = {
    **dict.fromkeys(("ja", "j", "yes", "y", "1", "true", "waar", "oui", "vrai"), True),
    **dict.fromkeys(("nee", "n", "no", "0", "false", "onwaar", "non", "faux"), False),
}


_NAME_MAX = Mandate._meta.get_field("name").max_length


_MUNICIPALITY_MAX = Mandate._meta.get_field("municipality").max_length


_EMAIL_MAX = Mandate._meta.get_field("contact_email").max_length


@dataclass(frozen=True)
class MandateRow:
    """A good row of the CSV, cleaned: ready to become a Mandate."""

    line: int
    enterprise_number: str  # canonical: 10 digits
    name: str
    postal_code: str
    municipality: str
    is_sme: bool
    contact_email: str


@dataclass(frozen=True)
class RowError:
    """The first problem found on a line. ``params`` carries the values the message names
    (e.g. the earlier line of a duplicate) for screens that want to show them otherwise."""

    line: int
    code: str
    message: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class FileError:
    """A problem with the file as a whole (encoding, header, size): no row was read."""

    code: str
    message: str


@dataclass
class ImportReport:
    rows: list[MandateRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    file_errors: list[FileError] = field(default_factory=list)
    imported: int = 0  # set by mandates_import_csv: how many mandates were created

    @property
    def has_errors(self) -> bool:
        return bool(self.errors or self.file_errors)


# --- Parsing -------------------------------------------------------------------------------


def parse_sme(value: str) -> bool | None:
    """ja/nee (and the other accepted spellings) → True/False; anything else → None."""
    return _SME_VALUES.get((value or "").strip().lower())


def postal_code_region_error(postal_code: str) -> tuple[str, str] | None:
    """(code, message) when a Belgian postal code lies outside the Flemish Region."""
    if is_flemish_postal_code(postal_code):
        return None
    number = int(postal_code)
    if 1000 <= number <= 1299:
        return (
            "not_flemish_brussels",
            _("Postal code %(code)s lies in the Brussels-Capital Region, not in the Flemish Region.") % {"code": postal_code},
        )
    return (
        "not_flemish_wallonia",
        _("Postal code %(code)s lies in the Walloon Region, not in the Flemish Region.") % {"code": postal_code},
    )


def _sniff_delimiter(header_line: str) -> str:
    # Belgian Excel exports with semicolons (the decimal comma takes the comma); other
    # tools use commas. The header has no quoted values, so counting is reliable.
    return ";" if header_line.count(";") >= header_line.count(",") and ";" in header_line else ","


def _read_header(header: list[str]) -> tuple[dict[str, int], list[FileError]]:
    names = [cell.strip().lower() for cell in header]
    positions: dict[str, int] = {}
    errors: list[FileError] = []
    for index, name in enumerate(names):
        if name not in MANDATE_CSV_COLUMNS:
            continue  # extra columns (notes, numbering) are common in spreadsheets; ignore them
        if name in positions:
            errors.append(
                FileError(
                    "duplicate_column", _("The column “%(column)s” appears more than once in the header.") % {"column": name}
                )
            )
        positions[name] = index
    missing = [name for name in REQUIRED_CSV_COLUMNS if name not in positions]
    if missing:
        errors.append(
            FileError(
                "missing_columns",
                _("The first line must name the columns %(expected)s. Missing: %(missing)s.")
                % {"expected": ";".join(MANDATE_CSV_COLUMNS), "missing": ", ".join(missing)},
            )
        )
    return positions, errors


def _check_row(
    line: int,
    values: dict[str, str],
    *,
    canonical: str | None,
    number_error: ValidationError | None,
    first_line_of: dict[str, int],
    existing_numbers: set[str],
) -> MandateRow | RowError:
    """The first problem of a row, in the documented order, or the cleaned row."""
    name = values["naam"]
    if not name:
        return RowError(line, "name_missing", _("The name of the enterprise is missing."))
    if len(name) > _NAME_MAX:
        return RowError(line, "name_too_long", _("The name is longer than %(max)d characters.") % {"max": _NAME_MAX})
    if number_error is not None:
        return RowError(line, number_error.code, number_error.messages[0])
    earlier = first_line_of[canonical]
    if earlier != line:
        return RowError(
            line,
            "duplicate_in_file",
            _("Enterprise %(number)s already appears on line %(line)d of this file.")
            % {"number": format_enterprise_number(canonical), "line": earlier},
            {"line": earlier},
        )
    if canonical in existing_numbers:
        return RowError(
            line,
            "duplicate_in_dossier",
            _("Enterprise %(number)s is already a mandating enterprise of this dossier.")
            % {"number": format_enterprise_number(canonical)},
        )
    postal_code = values["postcode"]
    try:
        validate_belgian_postal_code(postal_code)
    except ValidationError:
        return RowError(
            line,
            "postal_code_invalid",
            _("“%(value)s” is not a Belgian postal code (four digits, from 1000 to 9999).") % {"value": postal_code},
        )
    region_error = postal_code_region_error(postal_code)
    if region_error is not None:
        return RowError(line, *region_error)
    email = values["contact_email"]
    if email:
        try:
            if len(email) > _EMAIL_MAX:
                raise ValidationError("too long")
            validate_email(email)
        except ValidationError:
            return RowError(line, "email_invalid", _("“%(value)s” is not a valid e-mail address.") % {"value": email})
    is_sme = parse_sme(values["kmo"])
    if is_sme is None:
        return RowError(
            line,
            "sme_invalid",
            _("Column kmo (SME) must say “ja” or “nee”; found “%(value)s”.") % {"value": values["kmo"]},
        )
    municipality = values["gemeente"]
    if len(municipality) > _MUNICIPALITY_MAX:
        return RowError(
            line, "municipality_too_long", _("The municipality is longer than %(max)d characters.") % {"max": _MUNICIPALITY_MAX}
        )
    return MandateRow(
        line=line,
        enterprise_number=canonical,
        name=name,
        postal_code=postal_code,
        municipality=municipality,
        is_sme=is_sme,
        contact_email=email,
    )


class _FileProblem(Exception):
    def __init__(self, errors: list[FileError]):
        self.errors = errors


def _read_records(reader) -> list[tuple[int, dict[str, str]]]:
    """(line, {column: trimmed value}) of every non-blank record after the header."""
    try:
        positions, header_errors = _read_header(next(reader))
        if header_errors:
            raise _FileProblem(header_errors)
        records: list[tuple[int, dict[str, str]]] = []
        for line, cells in enumerate(reader, start=2):
            values = {
                column: cells[positions[column]].strip() if column in positions and positions[column] < len(cells) else ""
                for column in MANDATE_CSV_COLUMNS
            }
            if not any(values.values()):
                continue  # blank lines and the ";;;;;" rows spreadsheets leave at the end
            records.append((line, values))
            if len(records) > MAX_CSV_ROWS:
                # Stop reading: the limit protects the request, not only the report.
                raise _FileProblem(
                    [
                        FileError(
                            "too_many_rows",
                            _("The file has more than %(max)d enterprises. Split it into several files.") % {"max": MAX_CSV_ROWS},
                        )
                    ]
                )
    except csv.Error as error:
        raise _FileProblem(
            [FileError("unreadable", _("The file could not be read as CSV (%(detail)s).") % {"detail": error})]
        ) from None
    return records


def parse_mandates_csv(data: bytes, *, existing_numbers: set[str]) -> ImportReport:
    """Read a mandates CSV (UTF-8 with or without BOM, ``;`` or ``,``, CRLF or LF).

    Each line gets at most one error, the first found, in this order: name, enterprise
    number, duplicate in the file, duplicate in the dossier, postal code, Flemish Region,
    e-mail, SME. Line numbers count the header as line 1 and every record (blank ones
    included) as one line, so they match the row numbers a spreadsheet shows."""
    report = ImportReport()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        report.file_errors.append(
            FileError(
                "encoding",
                _(
                    "The file is not in UTF-8. In Excel choose File › Save as › “CSV UTF-8 (comma delimited) (*.csv)” "
                    "and upload that file."
                ),
            )
        )
        return report
    if not text.strip():
        report.file_errors.append(FileError("empty", _("The file is empty.")))
        return report

    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text.split("\n", 1)[0]))
    try:
        records = _read_records(reader)
    except _FileProblem as problem:
        report.file_errors.extend(problem.errors)
        return report

    # The enterprise number of every row is read first, so that a duplicate is reported
    # against the first line carrying that number even when that line has another error.
    numbers: list[tuple[str | None, ValidationError | None]] = []
    first_line_of: dict[str, int] = {}
    for line, values in records:
        try:
            canonical = normalise_enterprise_number(values["ondernemingsnummer"])
        except ValidationError as error:
            numbers.append((None, error))
            continue
        numbers.append((canonical, None))
        first_line_of.setdefault(canonical, line)

    for (line, values), (canonical, number_error) in zip(records, numbers, strict=True):
        result = _check_row(
            line,
            values,
            canonical=canonical,
            number_error=number_error,
            first_line_of=first_line_of,
            existing_numbers=existing_numbers,
        )
        if isinstance(result, RowError):
            report.errors.append(result)
        else:
            report.rows.append(result)
    return report


def mandates_template_csv() -> str:
    """The downloadable template: header and two example rows. Semicolons and a BOM,
    because that is what Excel in a Belgian locale opens as columns, in UTF-8."""
    rows = [
        MANDATE_CSV_COLUMNS,
        ("0423.456.765", "Voorbeeld NV", "9000", "Gent", "ja", "info@voorbeeld.example"),
        ("0765.432.146", "Voorbeeld Twee BV", "3500", "Hasselt", "nee", ""),
    ]
    return "\ufeff" + "".join(";".join(row) + "\r\n" for row in rows)


def mandate_clean(data: dict) -> dict:
    """Validate the fields of a manually entered mandate. Raises ValidationError keyed by
    field, with the same codes as the CSV import. Unlike the import, a valid Belgian
    postal code outside Flanders is accepted: a Brussels member is a legitimate member
    of the network, it only does not count towards the minimum."""
    errors: dict[str, ValidationError] = {}
    cleaned: dict = {}
    try:
        cleaned["enterprise_number"] = normalise_enterprise_number(str(data.get("enterprise_number") or ""))
    except ValidationError as error:
        errors["enterprise_number"] = error
    cleaned["name"] = str(data.get("name") or "").strip()
    if not cleaned["name"]:
        errors["name"] = ValidationError(_("The name of the enterprise is missing."), code="name_missing")
    elif len(cleaned["name"]) > _NAME_MAX:
        errors["name"] = ValidationError(
            _("The name is longer than %(max)d characters.") % {"max": _NAME_MAX}, code="name_too_long"
        )
    cleaned["postal_code"] = str(data.get("postal_code") or "").strip()
    try:
        validate_belgian_postal_code(cleaned["postal_code"])
    except ValidationError:
        errors["postal_code"] = ValidationError(
            _("A Belgian postal code has four digits, from 1000 to 9999."), code="postal_code_invalid"
        )
    cleaned["municipality"] = str(data.get("municipality") or "").strip()
    if len(cleaned["municipality"]) > _MUNICIPALITY_MAX:
        errors["municipality"] = ValidationError(
            _("The municipality is longer than %(max)d characters.") % {"max": _MUNICIPALITY_MAX}, code="municipality_too_long"
        )
    cleaned["contact_email"] = str(data.get("contact_email") or "").strip()
    if cleaned["contact_email"]:
        try:
            validate_email(cleaned["contact_email"])
        except ValidationError:
            errors["contact_email"] = ValidationError(_("Enter a valid e-mail address."), code="email_invalid")
    is_sme = data.get("is_sme")
    cleaned["is_sme"] = is_sme if isinstance(is_sme, bool) else parse_sme(str(is_sme or ""))
    if cleaned["is_sme"] is None:
        errors["is_sme"] = ValidationError(_("Say whether the enterprise is an SME."), code="sme_invalid")
    if errors:
        raise ValidationError(errors)
    return cleaned


# --- Counting ------------------------------------------------------------------------------


@dataclass(frozen=True)
class MandateCount:
    total: int  # rows in the dossier
    counted: int  # distinct enterprises with a valid number and a Flemish postal code
    not_flemish: int  # rows whose establishment lies outside the Flemish Region
    minimum: int  # Call.min_mandating_enterprises
    is_enough: bool


def mandate_checks(enterprise_number: str, postal_code: str, registry: dict | None = None) -> dict:
    """What is shown next to a mandate (live or submitted): does it count, and if not, why;
    with registry checks on, what the register says (name, the Flemish establishment, or
    the problems)."""
    return {
        "valid_number": is_valid_enterprise_number(enterprise_number),
        "flemish": _is_flemish(enterprise_number, postal_code, registry),
        "counts": _counts(enterprise_number, postal_code, registry),
        "registry": registry["enterprises"].get(enterprise_number) if registry else None,
    }


def registry_row_errors(report: ImportReport, registry: dict | None) -> ImportReport:
    """Move the CSV rows the register refuses (unknown, stopped, not Flemish) to the
    report's errors, each with the check that failed, in line order."""
    if registry is None:
        return report
    kept = []
    for row in report.rows:
        facts = registry["enterprises"].get(row.enterprise_number)
        if facts is not None and facts["problems"]:
            report.errors.append(RowError(row.line, f"registry_{facts['problems'][0]}", " ".join(facts["messages"])))
        else:
            kept.append(row)
    report.rows = kept
    report.errors.sort(key=lambda error: error.line)
    return report


def _counts(number: str, postal_code: str, registry: dict | None) -> bool:
    if not is_valid_enterprise_number(number):
        return False
    if registry is None:  # registry checks off: the postal code the applicant typed
        return is_flemish_postal_code(postal_code)
    facts = registry["enterprises"].get(number)
    return facts is not None and not facts["problems"]


def _is_flemish(number: str, postal_code: str, registry: dict | None) -> bool:
    if registry is None:
        return is_flemish_postal_code(postal_code)
    facts = registry["enterprises"].get(number)
    return facts is not None and "not_flemish" not in facts["problems"]


def count_mandates(call, pairs: list[tuple[str, str]], registry: dict | None = None) -> MandateCount:
    """How many of (enterprise number, postal code) count towards the call's minimum:
    distinct enterprises with a valid number and an establishment in the Flemish Region.
    With ``registry`` (intake.rules.registry.mandate_registry: the loaded KBO extract's
    facts), the register decides whether an enterprise is active and Flemish, not the
    typed postal code. The same rule for the live dossier and for a submitted snapshot."""
    # Stored numbers were validated on the way in; they are checked again because the
    # admin and future data fixes can bypass the services, and the count is what decides.
    counted = {number for number, postal_code in pairs if _counts(number, postal_code, registry)}
    minimum = call.min_mandating_enterprises
    return MandateCount(
        total=len(pairs),
        counted=len(counted),
        not_flemish=sum(1 for number, postal_code in pairs if not _is_flemish(number, postal_code, registry)),
        minimum=minimum,
        is_enough=len(counted) >= minimum,
    )


def mandate_count(dossier, registry: dict | None = None) -> MandateCount:
    """The count of the live dossier. At most two queries (the call, when not loaded yet,
    and the mandates); none when the mandates are prefetched."""
    if dossier.pk is None:  # nobody saved the dossier yet
        pairs = []
    elif "mandates" in getattr(dossier, "_prefetched_objects_cache", {}):
        pairs = [(m.enterprise_number, m.postal_code) for m in dossier.mandates.all()]
    else:
        pairs = list(dossier.mandates.values_list("enterprise_number", "postal_code"))
    return count_mandates(dossier.call, pairs, registry)


def mandate_count_of_content(call, content: dict, registry: dict | None = None) -> MandateCount:
    """The count of a dossier content dict (live or submitted), with the registry facts
    it was checked against (a submission's are in its snapshot)."""
    return count_mandates(call, [(m["enterprise_number"], m["postal_code"]) for m in content["mandates"]], registry)
