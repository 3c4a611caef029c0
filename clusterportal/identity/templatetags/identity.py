"""The sign-in pages' order of the providers' buttons."""

from django import template

from clusterportal.identity.claims import provider_config

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
