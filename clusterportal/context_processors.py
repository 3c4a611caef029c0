from django.conf import settings


def portal(request):
    """What every page shows: the portal name and the agency's contact line."""
    from intake.selectors import agency_contact

    return {"portal_name": "clusterportal", "agency_name": settings.AGENCY_NAME, "agency_contact": agency_contact()}
