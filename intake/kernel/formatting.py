"""How instants, durations and amounts are written for people: Belgian formats, Brussels time.
The one home of these formats: templates reach them through intake.templatetags.portal,
form fields (intake.web.forms.fields) parse and re-display amounts with them.

Outside the receipt a moment reads "1 december 2026 om 20:43" (format_brussels); seconds and
the UTC offset (format_instant) belong on the receipt and where a colleague's save or the
arrival of a late request must be told to the second."""

import re
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

BRUSSELS = ZoneInfo("Europe/Brussels")


def to_brussels(value: datetime) -> datetime:
    return value.astimezone(BRUSSELS)


def format_brussels(value: datetime | None) -> str:
    """23 januari 2026 om 12:00 (nl) / 23 January 2026 at 12:00 (en)."""
    if value is None:
        return ""
    local = to_brussels(value)
    return _("%(date)s at %(time)s") % {"date": formats.date_format(local, "j F Y"), "time": local.strftime("%H:%M")}


def format_brussels_long(value: datetime | None) -> str:
    """maandag 11 mei 2026 om 12:00 — with the weekday, for e-mails and deadline banners."""
    if value is None:
        return ""
    local = to_brussels(value)
    return _("%(date)s at %(time)s") % {"date": formats.date_format(local, "l j F Y"), "time": local.strftime("%H:%M")}


def format_instant(value: datetime | None) -> str:
    """A registered instant with seconds and UTC offset: 23 januari 2026 om 11:59:59 (UTC+01:00)."""
    if value is None:
        return ""
    local = to_brussels(value)
    offset = local.strftime("%z")
    return _("%(date)s at %(time)s") % {
        "date": formats.date_format(local, "j F Y"),
        "time": f"{local:%H:%M:%S} (UTC{offset[:3]}:{offset[3:]})",
    }


def format_duration(delta: timedelta | None) -> str:
    """Time left, coarse enough to read at a glance: '3 dagen en 4 uur', '2 uur en 5 minuten'."""
    if delta is None:
        return ""
    seconds = int(delta.total_seconds())
    if seconds <= 0:
        return _("no time left")
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = []
    if days:
        parts.append(ngettext("%(n)d day", "%(n)d days", days) % {"n": days})
    if hours and len(parts) < 2:
        parts.append(ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours})
    if not days and (minutes or not parts) and len(parts) < 2:
        parts.append(ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes})
    return _(" and ").join(parts)


def format_offset(offset: timedelta) -> str:
    """A configured reminder offset as people say it: "7 dagen", "1 dag", "3 uur", "36 uur",
    "90 minuten" — in the unit it was configured in (intake.models.calls.parse_reminder_offsets
    gives whole days, hours or minutes), never a countdown to the instant."""
    minutes = int(offset.total_seconds() // 60)
    if minutes % 1440 == 0:
        days = minutes // 1440
        return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
    if minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}


def _grouped(whole: int) -> str:
    return f"{whole:,}".replace(",", ".")


def format_number(value, *, places: int | None = None) -> str:
    """6000 → "6.000", 2.50 → "2,5", with ``places`` a fixed number of decimals
    (120000 → "120.000,00"): dots group thousands, a comma marks the decimals."""
    number = Decimal(str(value))  # str(): a float 0.1 is "0,1", not its binary expansion
    if places is not None:
        number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        text = f"{abs(number):.{places}f}"
    else:
        text = f"{abs(number).normalize():f}"
    whole, _sep, decimals = text.partition(".")
    sign = "-" if number < 0 else ""
    return sign + _grouped(int(whole)) + (f",{decimals}" if decimals else "")


def format_amount(value) -> str:
    """120000 → "120.000,00": an amount in euro without the sign (inputs show "€" beside it)."""
    return format_number(value, places=2)


def format_euro(value) -> str:
    """€ 225.000,00 — Belgian grouping and decimal comma, whatever the language."""
    amount = Decimal(value)
    sign = "-" if amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) < 0 else ""
    return f"{sign}€ {format_amount(abs(amount))}"


# What people in Belgium type for a number: digits grouped by dots (or spaces) in threes,
# a decimal comma, or an unambiguous decimal point ("12.5"; "225.000" is a thousand-grouping).
_PLAIN = re.compile(r"^\d+([.,]\d+)?$")
_GROUPED = re.compile(r"^\d{1,3}(\.\d{3})+(,\d+)?$")
_GROUPED_THOUSANDS = re.compile(r"^\d{1,3}(\.\d{3})+$")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")


def parse_number(text: str) -> Decimal:
    """Read a number as typed in Belgium: "120.000,00", "120000", "120 000,50", "€ 120.000",
    "2,5", "12.5". Raises ValueError for anything else ("1,234.56", "12,5,0", "abc"), rather
    than guessing what was meant."""
    cleaned = text.replace("€", "").strip()
    negative = cleaned.startswith("-")
    cleaned = cleaned.removeprefix("-").strip()
    cleaned = _SPACES.sub(".", cleaned)  # "120 000,50": a space groups thousands like a dot
    if _GROUPED_THOUSANDS.match(cleaned) or (_GROUPED.match(cleaned) and "," in cleaned):
        cleaned = cleaned.replace(".", "").replace(",", ".")
    elif _PLAIN.match(cleaned):
        cleaned = cleaned.replace(",", ".")
    else:
        raise ValueError(text)
    try:
        number = Decimal(cleaned)
    except InvalidOperation as exc:  # pragma: no cover - the patterns only let digits through
        raise ValueError(text) from exc
    return -number if negative else number


def format_fte(value) -> str:
    """2.50 → "2,5 VTE" (nl) / "2,5 FTE" (en): full-time equivalents."""
    return _("%(number)s FTE") % {"number": format_number(value)}


def format_percent(value) -> str:
    """50.00 → "50 %", 33.50 → "33,5 %" (Belgian decimal comma, space before the sign)."""
    text = f"{Decimal(value).normalize():f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text.replace('.', ',')} %"
