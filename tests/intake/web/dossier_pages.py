"""URLs of the dossier pages and what their forms post, for the tests of intake.web."""

from django.urls import reverse

from intake.models import Dossier
from tests.intake.dossier_helpers import BUDGET_YEAR, NETWORK


def url(call, organisation, name="dossier", **kwargs) -> str:
    return f"{reverse(f'intake:{name}', kwargs={'slug': call.slug, **kwargs})}?organisation={organisation.pk}"


def section_url(call, organisation, section) -> str:
    return url(call, organisation, "dossier_section", section=section)


def fresh(dossier) -> Dossier:
    return Dossier.objects.get(pk=dossier.pk)


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def network_data(organisation, *, version=0, **fields) -> dict:
    return {"organisation": organisation.pk, "version": version, **NETWORK, **fields}


def budget_data(organisation, *, version=0, years=3) -> dict:
    data = {
        "organisation": organisation.pk,
        "version": version,
        "years-TOTAL_FORMS": years,
        "years-INITIAL_FORMS": 3,
        "years-MIN_NUM_FORMS": 0,
        "years-MAX_NUM_FORMS": 1000,
    }
    for index in range(years):
        data.update({f"years-{index}-{name}": str(value) for name, value in BUDGET_YEAR.items()})
    return data
