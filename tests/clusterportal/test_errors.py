"""Error pages speak the user's language and say what happened to their input."""

import pytest
from django.test import Client

from tests.factories import CallFactory, OrganisationFactory, UserFactory


@pytest.mark.django_db
def test_not_found_is_a_dutch_page_of_the_portal(client):
    other = OrganisationFactory(owner=UserFactory())
    client.force_login(UserFactory())

    response = client.get(f"/organisations/{other.pk}/")

    assert response.status_code == 404
    page = response.content.decode()
    assert '<html lang="nl">' in page
    assert "Pagina niet gevonden" in page


@pytest.mark.django_db
def test_expired_form_says_nothing_was_saved():
    call = CallFactory()
    user = UserFactory()
    OrganisationFactory(owner=user)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    response = client.post(f"/calls/{call.slug}/preregistration/", {"network_name": "zonder token"})

    assert response.status_code == 403
    assert "Er is niets bewaard" in response.content.decode()
