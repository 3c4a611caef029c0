"""How instants, durations and amounts are written for people: Belgian formats, Brussels time."""

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
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


def format_euro(value) -> str:
    """€ 225.000,00 — Belgian grouping and decimal comma, whatever the language."""
    amount = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    whole, cents = f"{abs(amount):.2f}".split(".")
    return f"{sign}€ {int(whole):,}".replace(",", ".") + f",{cents}"


def format_number(value) -> str:
    """2.50 → "2,5", 1250 → "1.250", 0.125 → "0,125": Belgian grouping and decimal comma,
    no trailing zeros (a count or a target, not an amount of money)."""
    number = Decimal(str(value)).normalize()
    sign = "-" if number < 0 else ""
    whole, _dot, fraction = f"{abs(number):f}".partition(".")
    text = f"{int(whole):,}".replace(",", ".")
    return f"{sign}{text},{fraction}" if fraction else f"{sign}{text}"


def format_fte(value) -> str:
    """2.50 → "2,5 VTE" (nl) / "2,5 FTE" (en): full-time equivalents."""
    return _("%(number)s FTE") % {"number": format_number(value)}


def format_percent(value) -> str:
    """50.00 → "50 %", 33.50 → "33,5 %" (Belgian decimal comma, space before the sign)."""
    text = f"{Decimal(value).normalize():f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text.replace('.', ',')} %"
