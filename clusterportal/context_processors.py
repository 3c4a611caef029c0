import functools

from django.conf import settings

from intake.selectors.calls import agency_contact
from intake.selectors.organisations import is_agency


def portal(request):
    """What every page shows: the portal name, the agency's contact line, and whether the
    header offers the reviewers' dashboard (a callable: the template asks it, and only for
    a signed-in user, so other pages pay no query)."""
    return {
        "portal_name": "clusterportal",
        "agency_name": settings.AGENCY_NAME,
        "agency_contact": agency_contact(),
        "is_agency": functools.partial(is_agency, request.user) if hasattr(request, "user") else False,
        "password_accounts": settings.PASSWORD_ACCOUNTS,
    }
