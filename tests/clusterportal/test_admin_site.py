"""The admin site (clusterportal.admin_site) is behind allauth's login and, for the agency's
staff, the second factor."""

from django.contrib.auth.models import Group

from intake.kernel.roles import CALL_MANAGERS
from intake.models import Membership
from tests.auth import sign_in
from tests.factories import OrganisationFactory, UserFactory


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


def test_provider_settings_are_not_edited_in_the_admin_and_a_sign_ins_record_is_read_only(client, db):
    """Providers come from OIDC_* and no provider token is kept (issue 15): the admin has no
    page for either; what a sign-in asserted about a membership is shown, not editable."""
    admin = UserFactory(is_staff=True, is_superuser=True)
    sign_in(client, admin)
    owner = UserFactory()
    organisation = OrganisationFactory(owner=owner)
    Membership.objects.filter(user=owner).update(login_provider="acm", login_role="ClusterAanvrager")

    index = client.get("/admin/").content.decode()
    page = client.get(f"/admin/intake/organisation/{organisation.pk}/change/").content.decode()

    assert "/admin/socialaccount/socialaccount/" in index
    assert "/admin/socialaccount/socialapp/" not in index and "/admin/socialaccount/socialtoken/" not in index
    assert "ClusterAanvrager" in page and 'name="memberships-0-login_role"' not in page
