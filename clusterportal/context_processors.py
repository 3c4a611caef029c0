from django.conf import settings

from intake.selectors.calls import agency_contact


def portal(request):
    """What every page shows: the portal name and the agency's contact line."""
    return {"portal_name": "clusterportal", "agency_name": settings.AGENCY_NAME, "agency_contact": agency_contact()}
