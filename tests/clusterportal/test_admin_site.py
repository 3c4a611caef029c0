"""The admin site (clusterportal.admin_site) is behind allauth's login and, for the agency's
staff, the second factor."""

from django.contrib.auth.models import Group

from intake.kernel.roles import CALL_MANAGERS
from tests.auth import sign_in
from tests.factories import UserFactory


def test_admin_login_is_allauths_with_its_rate_limits(client, db):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_admin_needs_the_second_factor_for_staff(client, db):
    manager = UserFactory(is_staff=True)
    manager.groups.add(Group.objects.get(name=CALL_MANAGERS))
    client.force_login(manager)  # password only

    response = client.get("/admin/intake/call/")
    assert response.status_code == 302
    assert client.get(response["Location"]).url.endswith("/reviews/two-factor/")

    sign_in(client, manager)  # password and TOTP
    assert client.get("/admin/intake/call/").status_code == 200
