"""Validation rules of the domain that do not depend on the database: enterprise numbers
(KBO/BCE), Belgian and Flemish postal codes."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.be import vat as be_vat
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

# The lowest number the Crossroads Bank for Enterprises issues (DESIGN.md §2): numbers of
# the 0-series start at 0200.000.000, so 0000.000.097, whose check digits add up, is no one.
FIRST_ISSUED = "0200000000"


def normalise_enterprise_number(value: str) -> str:
    """Return the canonical 10-digit form of an enterprise number, or raise ValidationError
    with a Dutch message that says what is wrong.

    Accepts 0403.019.261, 0403019261, BE 0403 019 261 and the old 9-digit form 403019261.
    Check digits: 97 - (first 8 digits mod 97), checked by python-stdnum's be.vat; and no
    number below 0200.000.000, which the register never issues. The organisation's number
    and every mandating enterprise's number pass through here."""
    raw = (value or "").strip()
    if not raw:
        raise ValidationError(_("Enter the enterprise number."), code="required")
    compact = be_vat.compact(raw)
    if not compact.isdigit():
        raise ValidationError(
            _("An enterprise number contains only digits (and optionally dots, spaces or the prefix BE)."),
            code="enterprise_number_format",
        )
    if len(compact) == 9:  # numbers issued before 2005 are sometimes written without the leading 0
        compact = "0" + compact
    if len(compact) != 10:
        raise ValidationError(
            _("An enterprise number has 10 digits; this one has %(count)d."),
            code="enterprise_number_length",
            params={"count": len(compact)},
        )
    if compact[0] not in "01":
        raise ValidationError(
            _(
                "An enterprise number starts with 0 or 1. A number starting with 2 to 8 is the number of an "
                "establishment unit (vestigingseenheid), not of the enterprise."
            ),
            code="enterprise_number_first_digit",
        )
    if compact < FIRST_ISSUED:
        raise ValidationError(
            _(
                "The register (KBO) issues no enterprise number below 0200.000.000: this number does not exist, "
                "even though its check digits add up."
            ),
            code="enterprise_number_not_issued",
        )
    try:
        be_vat.validate(compact)
    except InvalidChecksum:
        raise ValidationError(
            _("The check digits (the last two digits) do not match: check for a typing error."),
            code="enterprise_number_checksum",
        ) from None
    except InvalidLength:
        raise ValidationError(_("An enterprise number has 10 digits."), code="enterprise_number_length") from None
    except (InvalidFormat, InvalidComponent):
        raise ValidationError(_("This is not a valid enterprise number."), code="enterprise_number_format") from None
    return compact


def validate_enterprise_number(value: str) -> None:
    if normalise_enterprise_number(value) != value:
        raise ValidationError(_("Store the enterprise number as 10 digits."), code="enterprise_number_not_canonical")


def is_valid_enterprise_number(value: str) -> bool:
    """True for a stored (canonical, 10-digit) enterprise number that passes every check.
    Stored numbers were validated on the way in; rules check them again because the admin
    and data fixes can bypass the forms, and the count of mandates is what decides."""
    try:
        return normalise_enterprise_number(value) == value
    except ValidationError:
        return False


def format_enterprise_number(canonical: str) -> str:
    """0403019261 → 0403.019.261, the form printed on official documents."""
    if not canonical or len(canonical) != 10:
        return canonical or ""
    return f"{canonical[:4]}.{canonical[4:7]}.{canonical[7:]}"


# ASCII digits only, the whole value: \d would accept other scripts' digits and $ a
# trailing newline.
_POSTAL_CODE_RE = re.compile(r"[0-9]{4}")


def validate_belgian_postal_code(value: str) -> None:
    """Belgian postal codes are four digits from 1000 to 9999."""
    if not _POSTAL_CODE_RE.fullmatch(value or "") or int(value) < 1000:
        raise ValidationError(_("A Belgian postal code has four digits, from 1000 to 9999."), code="postal_code")


def is_flemish_postal_code(value: str) -> bool:
    """True when a postal code lies in the Flemish Region.

    Source: bpost's postal code ranges per province — Flemish Brabant 1500–1999 and
    3000–3499, Antwerp 2000–2999, Limburg 3500–3999, West Flanders 8000–8999, East
    Flanders 9000–9999. 1000–1299 is the Brussels-Capital Region, 1300–1499 Walloon
    Brabant and 4000–7999 the other Walloon provinces (DESIGN.md §2)."""
    if not _POSTAL_CODE_RE.fullmatch(value or ""):
        return False
    code = int(value)
    return 1500 <= code <= 3999 or 8000 <= code <= 9999
