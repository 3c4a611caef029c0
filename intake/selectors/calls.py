"""Calls as the public and applicants see them."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from intake import deadlines
from intake.models import Call, CallFollow, PolicyPriority

# The agency's contact line from the seed text, used when no call is published yet.
DEFAULT_CONTACT = {
    "phone": "0800 20 555",
    "email": "clusters@vlaio.be",
    "url": "https://www.vlaio.be/nl/vlaio-netwerk/innovatieve-bedrijfsnetwerken",
}


def calls_published():
    return Call.objects.filter(is_published=True).prefetch_related(
        Prefetch("policy_priorities", queryset=PolicyPriority.objects.order_by("name"))
    )


def calls_for_home(*, now):
    """Published calls that are open or not yet open, earliest deadline first."""
    return calls_published().filter(**deadlines.not_closed_filter(now=now)).order_by("preregistration_deadline")


def calls_closed(*, now):
    return calls_published().exclude(**deadlines.not_closed_filter(now=now)).order_by("-dossier_deadline")


def call_get(*, slug: str) -> Call:
    return get_object_or_404(calls_published(), slug=slug)


def call_published_by_pk(pk: int) -> Call | None:
    return calls_published().filter(pk=pk).first()


def is_following(*, user, call) -> bool:
    return user.is_authenticated and CallFollow.objects.filter(call=call, user=user, active=True).exists()


def agency_contact() -> dict:
    call = (
        Call.objects.filter(is_published=True)
        .order_by("-preregistration_deadline")
        .values("contact_phone", "contact_email", "contact_url")
        .first()
    )
    if not call:
        return DEFAULT_CONTACT
    return call_contact(phone=call["contact_phone"], email=call["contact_email"], url=call["contact_url"])


def call_contact(*, phone: str, email: str, url: str) -> dict:
    """Where to ask about a call: its own contact, or the agency's general one when the call
    names neither a phone number nor an e-mail address."""
    if not (phone or email):
        return DEFAULT_CONTACT
    return {"phone": phone, "email": email, "url": url}
