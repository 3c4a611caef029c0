"""Applicant organisations through the web: one organisation per enterprise number,
owners invite colleagues, members see only their own organisations."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from intake.kernel.enums import Role
from intake.kernel.formatting import format_brussels
from intake.models import AuditEvent, Invitation, Membership, Organisation
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def organisation_post_data(**overrides):
    data = {
        "name": "Slimme Warmte Cluster vzw",
        "enterprise_number": "BE 0403 019 261",
        "legal_form": "vzw",
        "has_legal_personality": "on",
        "street": "Kortrijksesteenweg 12",
        "postal_code": "9000",
        "municipality": "Gent",
        "website": "https://warmte.example.org",
        "contact_name": "Els Coördinator",
        "contact_email": "els@warmte.example.org",
        "contact_phone": "+32 9 123 45 67",
    }
    data.update(overrides)
    return data


def test_organisation_create_stores_canonical_number_and_makes_user_owner(logged_in_client, user):
    response = logged_in_client.post(reverse("intake:organisation_create"), organisation_post_data())

    organisation = Organisation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == organisation.get_absolute_url()
    assert organisation.enterprise_number == "0403019261"
    assert organisation.name == "Slimme Warmte Cluster vzw"
    assert organisation.postal_code == "9000"
    membership = Membership.objects.get(organisation=organisation)
    assert membership.user == user
    assert membership.role == Role.OWNER
    assert AuditEvent.objects.filter(action="organisation.created", organisation=organisation, actor=user).exists()


def test_organisation_detail_shows_the_dotted_enterprise_number(logged_in_client, organisation):
    response = logged_in_client.get(reverse("intake:organisation_detail", kwargs={"pk": organisation.pk}))

    assert response.status_code == 200
    assert organisation.enterprise_number_display in response.content.decode()
    assert organisation.name in response.content.decode()


def test_organisation_create_refuses_a_number_below_the_first_issued_naming_the_rule(logged_in_client):
    data = organisation_post_data(enterprise_number="0000000097")  # check digits add up

    response = logged_in_client.post(reverse("intake:organisation_create"), data)

    assert not Organisation.objects.exists()
    assert "geen ondernemingsnummer lager dan 0200.000.000" in " ".join(response.context["form"].errors["enterprise_number"])


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("0403.019.262", "enterprise_number_checksum"),
        ("2.147.812.701", "enterprise_number_first_digit"),
        ("0403.019.2", "enterprise_number_length"),
        ("04O3.019.261", "enterprise_number_format"),
        ("0000.000.097", "enterprise_number_not_issued"),
    ],
)
def test_organisation_create_invalid_number_keeps_every_typed_value(logged_in_client, typed, code):
    data = organisation_post_data(enterprise_number=typed)

    response = logged_in_client.post(reverse("intake:organisation_create"), data)

    assert response.status_code == 200
    assert not Organisation.objects.exists()
    assert not Membership.objects.exists()
    form = response.context["form"]
    assert form.has_error("enterprise_number", code=code)
    assert list(form.errors) == ["enterprise_number"]
    html = response.content.decode()
    for name in ("name", "street", "postal_code", "municipality", "website", "contact_name", "contact_email", "contact_phone"):
        assert form[name].value() == data[name]
        assert f'value="{data[name]}"' in html, name
    assert form["enterprise_number"].value() == typed
    assert f'value="{typed}"' in html
    assert form["legal_form"].value() == "vzw"
    assert form["has_legal_personality"].value() is True


@pytest.mark.parametrize(
    "postal_code", ["\u0669\u0660\u0660\u0660", "\uff19\uff10\uff10\uff10"], ids=["arabic-indic", "fullwidth"]
)
def test_organisation_create_postal_code_must_be_ascii_digits(logged_in_client, postal_code):
    # "٩٠٠٠" looks like 9000 to Python's \d and int(), but is not a Belgian postal code;
    # stored as is, it would be printed on receipts and compared with the Flemish ranges.
    response = logged_in_client.post(reverse("intake:organisation_create"), organisation_post_data(postal_code=postal_code))

    assert not Organisation.objects.exists()
    assert response.status_code == 200
    assert response.context["form"].has_error("postal_code", code="postal_code")


def test_organisation_create_same_number_by_second_user_makes_no_copy(client, user):
    existing = OrganisationFactory(owner=user, name="Bestaande Cluster vzw", enterprise_number="0403019261")
    second = UserFactory()
    client.force_login(second)

    response = client.post(
        reverse("intake:organisation_create"),
        organisation_post_data(name="Kopie Cluster vzw", enterprise_number="0403.019.261"),
    )

    assert response.status_code == 200
    assert Organisation.objects.count() == 1
    assert not Membership.objects.filter(user=second).exists()
    assert response.context["existing"] == existing
    assert response.context["form"].errors["enterprise_number"]
    assert "Bestaande Cluster vzw" in response.content.decode()


def _invite(client, organisation, email="colleague@example.org", role=Role.EDITOR):
    return client.post(
        reverse("intake:invitation_create", kwargs={"pk": organisation.pk}),
        {"email": email, "role": role},
    )


def test_invitation_create_sends_one_mail_with_accept_url(
    logged_in_client, user, organisation, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(logged_in_client, organisation)

    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.organisation == organisation
    assert invitation.email == "colleague@example.org"
    assert invitation.role == Role.EDITOR
    assert invitation.invited_by == user
    assert invitation.accepted_at is None
    assert len(invitation.token) >= 32
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["colleague@example.org"]
    accept_path = reverse("intake:invitation_accept", kwargs={"token": invitation.token})
    assert accept_path in mail.body
    assert invitation.token in mail.body
    html = mail.alternatives[0][0] if mail.alternatives else ""
    assert accept_path in html


def test_invitation_accept_by_invited_user_makes_an_editor(
    client, user, organisation, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, organisation)
    accept_url = re.search(r"https?://\S+/invitations/\S+/", mailoutbox[0].body).group(0)
    accept_path = accept_url.split("://", 1)[1].split("/", 1)[1]
    colleague = UserFactory(email="colleague@example.org")
    client.force_login(colleague)

    assert client.get("/" + accept_path).status_code == 200
    response = client.post("/" + accept_path)

    assert response.status_code == 302
    membership = Membership.objects.get(organisation=organisation, user=colleague)
    assert membership.role == Role.EDITOR
    invitation = Invitation.objects.get()
    assert invitation.accepted_by == colleague
    assert invitation.accepted_at is not None
    # The colleague now sees the organisation.
    assert client.get(reverse("intake:organisation_detail", kwargs={"pk": organisation.pk})).status_code == 200
    # A used link cannot be used again.
    assert client.post("/" + accept_path).status_code == 404


def test_invitation_expires_after_14_days_and_says_so(client, user, organisation, mailoutbox, django_capture_on_commit_callbacks):
    sent = timezone.now().replace(microsecond=0)
    with time_machine.travel(sent, tick=False):
        client.force_login(user)
        with django_capture_on_commit_callbacks(execute=True):
            _invite(client, organisation)
    invitation = Invitation.objects.get()
    valid_until = format_brussels(invitation.expires_at)
    accept = reverse("intake:invitation_accept", kwargs={"token": invitation.token})
    colleague = UserFactory(email="colleague@example.org")

    assert invitation.expires_at == sent + timedelta(days=14)
    assert f"geldig tot {valid_until}" in mailoutbox[0].body
    assert f"geldig tot {valid_until}" in client.get(organisation.get_absolute_url()).content.decode()
    with time_machine.travel(invitation.expires_at - timedelta(seconds=1), tick=False):
        client.force_login(colleague)
        assert f"geldig tot {valid_until}" in client.get(accept).content.decode()
    with time_machine.travel(invitation.expires_at, tick=False):
        page = client.get(accept).content.decode()
        refused = client.post(accept, follow=True)

    assert f"verlopen op {valid_until}" in page
    assert 'type="submit">Aanvaard de uitnodiging' not in page
    assert not Membership.objects.filter(user=colleague).exists()
    assert f"verlopen op {valid_until}" in refused.content.decode()
    assert Invitation.objects.get().accepted_at is None


def test_invitation_validity_is_configurable(logged_in_client, organisation, settings):
    settings.INVITATION_VALID_DAYS = 3

    _invite(logged_in_client, organisation)

    invitation = Invitation.objects.get()
    assert invitation.expires_at - invitation.created_at < timedelta(days=3, seconds=1)
    assert invitation.expires_at - invitation.created_at > timedelta(days=3, seconds=-1)


def test_invitation_accept_by_another_address_creates_no_membership(client, user, organisation):
    client.force_login(user)
    _invite(client, organisation)
    invitation = Invitation.objects.get()
    stranger = UserFactory(email="stranger@example.org")
    client.force_login(stranger)

    response = client.post(reverse("intake:invitation_accept", kwargs={"token": invitation.token}))

    assert response.status_code in {200, 403}
    assert not Membership.objects.filter(user=stranger).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert client.get(reverse("intake:organisation_detail", kwargs={"pk": organisation.pk})).status_code == 404


def test_invitation_accept_unknown_token_is_404(logged_in_client):
    response = logged_in_client.post(reverse("intake:invitation_accept", kwargs={"token": "no-such-token"}))

    assert response.status_code == 404
    assert not Membership.objects.filter(role=Role.EDITOR).exists()


@pytest.fixture
def editor(organisation):
    editor = UserFactory()
    Membership.objects.create(organisation=organisation, user=editor, role=Role.EDITOR)
    return editor


def test_invitation_create_by_editor_is_refused(client, organisation, editor, mailoutbox, django_capture_on_commit_callbacks):
    client.force_login(editor)

    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(client, organisation, email="third@example.org")

    assert response.status_code in {400, 403, 404}
    assert not Invitation.objects.exists()
    assert mailoutbox == []


def test_membership_remove_by_editor_is_refused(client, user, organisation, editor):
    owner_membership = Membership.objects.get(organisation=organisation, user=user)
    client.force_login(editor)

    response = client.post(
        reverse("intake:membership_remove", kwargs={"pk": organisation.pk, "membership_pk": owner_membership.pk})
    )

    assert response.status_code in {302, 403, 404}
    assert Membership.objects.filter(organisation=organisation).count() == 2
    assert Membership.objects.filter(pk=owner_membership.pk, role=Role.OWNER).exists()


def test_invitation_revoke_by_editor_is_refused(client, user, organisation, editor):
    client.force_login(user)
    _invite(client, organisation)
    invitation = Invitation.objects.get()
    client.force_login(editor)

    response = client.post(reverse("intake:invitation_revoke", kwargs={"pk": organisation.pk, "invitation_pk": invitation.pk}))

    assert response.status_code in {302, 403, 404}
    assert Invitation.objects.filter(pk=invitation.pk).exists()


def test_organisation_edit_by_editor_is_404(client, organisation, editor):
    client.force_login(editor)
    url = reverse("intake:organisation_edit", kwargs={"pk": organisation.pk})

    assert client.get(url).status_code == 404
    response = client.post(url, organisation_post_data(name="Overgenomen vzw"))

    assert response.status_code == 404
    organisation.refresh_from_db()
    assert organisation.name != "Overgenomen vzw"


def test_membership_remove_by_owner_removes_the_member(logged_in_client, organisation, editor):
    membership = Membership.objects.get(organisation=organisation, user=editor)

    response = logged_in_client.post(
        reverse("intake:membership_remove", kwargs={"pk": organisation.pk, "membership_pk": membership.pk})
    )

    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert AuditEvent.objects.filter(action="membership.removed", organisation=organisation).exists()


def test_membership_remove_last_owner_is_refused(logged_in_client, user, organisation, editor):
    own = Membership.objects.get(organisation=organisation, user=user)

    response = logged_in_client.post(reverse("intake:membership_remove", kwargs={"pk": organisation.pk, "membership_pk": own.pk}))

    assert response.status_code == 302
    assert Membership.objects.filter(pk=own.pk, role=Role.OWNER).exists()
    assert Membership.objects.filter(organisation=organisation).count() == 2


def test_membership_remove_one_of_two_owners_is_allowed(logged_in_client, user, organisation):
    second_owner = UserFactory()
    theirs = Membership.objects.create(organisation=organisation, user=second_owner, role=Role.OWNER)

    logged_in_client.post(reverse("intake:membership_remove", kwargs={"pk": organisation.pk, "membership_pk": theirs.pk}))

    assert not Membership.objects.filter(pk=theirs.pk).exists()
    assert Membership.objects.filter(organisation=organisation, user=user, role=Role.OWNER).exists()


def test_other_organisation_is_404_for_get_and_every_post(client, organisation, user):
    other_owner = UserFactory()
    other = OrganisationFactory(owner=other_owner, name="Andermans Cluster vzw")
    other_membership = Membership.objects.get(organisation=other)
    client.force_login(other_owner)
    _invite(client, other, email="someone@example.org")
    other_invitation = Invitation.objects.get(organisation=other)
    client.force_login(user)
    before = (
        list(Organisation.objects.filter(pk=other.pk).values()),
        list(Membership.objects.filter(organisation=other).values()),
        list(Invitation.objects.filter(organisation=other).values()),
    )

    assert client.get(reverse("intake:organisation_detail", kwargs={"pk": other.pk})).status_code == 404
    assert client.get(reverse("intake:organisation_edit", kwargs={"pk": other.pk})).status_code == 404
    post_urls = [
        reverse("intake:organisation_detail", kwargs={"pk": other.pk}),
        reverse("intake:organisation_edit", kwargs={"pk": other.pk}),
        reverse("intake:invitation_create", kwargs={"pk": other.pk}),
        reverse("intake:invitation_revoke", kwargs={"pk": other.pk, "invitation_pk": other_invitation.pk}),
        reverse("intake:membership_remove", kwargs={"pk": other.pk, "membership_pk": other_membership.pk}),
    ]
    for url in post_urls:
        response = client.post(url, {**organisation_post_data(name="Gekaapt vzw"), "email": "intruder@example.org"})
        assert response.status_code == 404, url

    after = (
        list(Organisation.objects.filter(pk=other.pk).values()),
        list(Membership.objects.filter(organisation=other).values()),
        list(Invitation.objects.filter(organisation=other).values()),
    )
    assert after == before
    assert "Andermans Cluster vzw" not in client.get(reverse("intake:organisation_list")).content.decode()


def test_own_organisation_member_ids_do_not_reach_another_organisation(client, user, organisation):
    # Removing a member of B through the URL of A (where the user is owner) must not work.
    other = OrganisationFactory(owner=UserFactory())
    other_membership = Membership.objects.get(organisation=other)
    client.force_login(user)

    response = client.post(
        reverse("intake:membership_remove", kwargs={"pk": organisation.pk, "membership_pk": other_membership.pk})
    )

    assert response.status_code == 404
    assert Membership.objects.filter(pk=other_membership.pk).exists()


def test_organisation_pages_require_login(client, organisation):
    response = client.get(reverse("intake:organisation_detail", kwargs={"pk": organisation.pk}))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
