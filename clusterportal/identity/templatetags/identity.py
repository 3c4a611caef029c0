"""The sign-in pages' providers: in which order, and which ones a page offers."""

from allauth.socialaccount.templatetags.socialaccount import get_providers
from django import template

from clusterportal.identity.claims import provider_config
from intake.selectors.organisations import is_agency

register = template.Library()


def _for_staff(provider) -> bool:
    # sub_id: the app's provider_id ("acm"); ``id`` is allauth's "openid_connect" for all.
    config = provider_config(provider.sub_id)
    return config is not None and config.for_staff


@register.filter
def applicants_first(providers) -> list:
    """allauth's providers (it sorts them by name, so by their buttons' text) with those
    for applicants before the agency's staff's: the login page is the applicants' first,
    and the text above the buttons is about the enterprise they act for. Within each
    group allauth's order stays (a stable sort)."""
    return sorted(providers, key=_for_staff)


@register.simple_tag(takes_context=True)
def offered_providers(context, process: str) -> list:
    """The providers whose buttons a page shows: on the login page all of them (applicants
    first); on the account's linking page only those the person can sign in at, the agency's
    single sign-on for its staff and the identity service for everyone else (an applicant
    has no account at the agency's sign-on to link)."""
    providers = applicants_first(get_providers(context))
    if process != "connect":
        return providers
    user = context["request"].user
    staff = user.is_authenticated and (user.is_staff or is_agency(user))
    return [provider for provider in providers if _for_staff(provider) == staff]
