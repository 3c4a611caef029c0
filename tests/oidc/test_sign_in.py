"""Signing in through OpenID Connect against the real provider on loopback (issue 15),
with the Django test client: allauth's flow with the portal's nonce and signature checks,
the enterprise claim making a verified member, a changed claim ending it, staff roles and
their second factor, hostile answers refused with a Dutch page, logout at the provider."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from allauth.mfa.totp.internal.auth import TOTP
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from intake.kernel.enums import VerificationState
from intake.kernel.roles import CALL_MANAGERS, REVIEWERS
from intake.models import AuditEvent, Membership, Organisation
from tests.auth import TOTP_SECRET
from tests.factories import PASSWORD, UserFactory
from tests.oidc.portal import (
    MANAGER_GROUP,
    applicant_claims,
    portal_settings,
    sign_in_through,
    staff_claims,
    start,
)
from tests.reviews.review_helpers import make_call

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]

NUMBER = "0403019261"


@pytest.fixture
def portal(oidc_provider):
    with portal_settings(oidc_provider, "http://testserver"):
        yield oidc_provider


def _signed_in_user(client):
    user_id = client.session.get("_auth_user_id")
    return get_user_model().objects.get(pk=user_id) if user_id else None


def _messages(response_or_client, client=None) -> list[str]:
    page = (client or response_or_client).get(reverse("intake:home"))
    return [str(m) for m in page.context["messages"]]


def test_the_login_page_offers_each_provider_as_a_button_that_posts(client, portal):
    page = client.get(reverse("account_login")).content.decode()
    assert '<form method="post" action="/accounts/oidc/acm/login/?process=login"' in page
    assert "Aanmelden bij de Vlaamse overheid" in page and "Aanmelden als medewerker van VLAIO" in page
    # allauth sorts the providers by name ("… als medewerker" before "… bij de"): the
    # applicants' comes first all the same, the login page being theirs.
    assert page.index("Aanmelden bij de Vlaamse overheid") < page.index("Aanmelden als medewerker van VLAIO")


def test_the_page_before_a_provider_never_puts_its_name_in_a_sentence(client, portal):
    """A provider's name is its button's text: the page a GET of its login URL shows has
    it as the button, not in "Aanmelden via Aanmelden bij de Vlaamse overheid"."""
    page = client.get("/accounts/oidc/acm/login/").content.decode()
    assert "Aanmelden via een aanmeldingsdienst" in page
    assert '<button type="submit" class="btn btn-primary">Aanmelden bij de Vlaamse overheid</button>' in page
    assert "via Aanmelden" not in page and "naar Aanmelden" not in page


def test_the_authorization_request_uses_pkce_state_and_a_nonce(client, portal):
    response = start(client, "acm")
    query = parse_qs(urlsplit(response["Location"]).query)
    assert response["Location"].startswith(portal.issuer + "/authorize/")
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["state"][0] and len(query["nonce"][0]) >= 32
    assert set(query["scope"][0].split()) == {"openid", "profile", "email"}


def test_an_applicant_with_an_enterprise_claim_becomes_a_verified_member(client, portal):
    portal.set_person("an", "pw", applicant_claims("an@voorbeeld.be", NUMBER))

    response = sign_in_through(client, portal, "acm", "an")

    assert response.status_code == 302 and response["Location"] == "/"
    user = _signed_in_user(client)
    assert user.email == "an@voorbeeld.be" and user.emailaddress_set.get().verified
    organisation = Organisation.objects.get(enterprise_number=NUMBER)
    assert organisation.verification_state == VerificationState.VERIFIED
    membership = Membership.objects.get(user=user, organisation=organisation)
    assert (membership.login_provider, membership.login_subject, membership.login_role) == ("acm", "an", "ClusterAanvrager")
    assert [m for m in _messages(client) if "0403.019.261" in m]
    page = client.get(organisation.get_absolute_url())
    assert page.status_code == 200


def test_a_login_without_an_enterprise_leaves_an_ordinary_unverified_user(client, portal):
    portal.set_person("bert", "pw", {"email": "bert@voorbeeld.be", "email_verified": True})

    sign_in_through(client, portal, "acm", "bert")

    user = _signed_in_user(client)
    assert user is not None and not Membership.objects.filter(user=user).exists()
    assert not Organisation.objects.exists()


def test_a_role_taken_away_ends_the_membership_at_the_next_sign_in(client, portal):
    portal.set_person("an", "pw", applicant_claims("an@voorbeeld.be", NUMBER, "0202239951"))
    sign_in_through(client, portal, "acm", "an")
    client.post(reverse("account_logout"))

    portal.set_person("an", "pw", applicant_claims("an@voorbeeld.be", "0202239951"))
    sign_in_through(client, portal, "acm", "an")

    user = _signed_in_user(client)
    assert list(Membership.objects.filter(user=user).values_list("organisation__enterprise_number", flat=True)) == ["0202239951"]
    ended = AuditEvent.objects.get(action="membership.ended")
    assert ended.organisation.enterprise_number == NUMBER and ended.data["provider"] == "acm"
    assert any("niet meer" in m and "0403.019.261" in m for m in _messages(client))


@pytest.mark.parametrize(
    "mode",
    [
        "expired",
        "wrong_signature",
        "wrong_nonce",
        "no_nonce",
        "wrong_audience",
        "wrong_issuer",
        "alg_none",
        "hs256_with_public_key",
    ],
)
def test_a_hostile_id_token_is_refused_with_a_dutch_page_and_nobody_signed_in(client, portal, mode):
    portal.set_person("eve", "pw", applicant_claims("eve@voorbeeld.be", NUMBER), id_token=mode)

    response = sign_in_through(client, portal, "acm", "eve")

    assert response.status_code == 401  # allauth's status for a refused third-party login
    page = response.content.decode()
    assert "Aanmelden is niet gelukt" in page and 'role="alert"' in page
    assert _signed_in_user(client) is None
    assert not get_user_model().objects.filter(email="eve@voorbeeld.be").exists()
    assert not Organisation.objects.exists()


def test_a_tampered_state_is_refused(client, portal):
    portal.set_person("an", "pw", applicant_claims("an@voorbeeld.be", NUMBER))
    response = start(client, "acm")
    callback = portal.authorize(requests.Session(), response["Location"], "an", "pw")
    parts = urlsplit(callback)
    query = parse_qs(parts.query)
    tampered = f"{parts.path}?code={query['code'][0]}&state=not-the-state-we-sent"

    response = client.get(tampered)

    assert "Aanmelden is niet gelukt" in response.content.decode()
    assert _signed_in_user(client) is None


def test_a_callback_replayed_in_another_browser_is_refused(client, portal, django_user_model):
    """The state lives in the session that started the login: a code and state carried to
    another browser (a phished callback link) sign nobody in there."""
    portal.set_person("an", "pw", applicant_claims("an@voorbeeld.be", NUMBER))
    callback = portal.authorize(requests.Session(), start(client, "acm")["Location"], "an", "pw")
    from django.test import Client  # noqa: PLC0415 -- a second browser, only here

    response = Client().get(callback.removeprefix("http://testserver"))

    assert "Aanmelden is niet gelukt" in response.content.decode()
    assert not django_user_model.objects.filter(email="an@voorbeeld.be").exists()


def test_staff_groups_map_to_the_agencys_roles_and_an_asserted_mfa_opens_reviews(client, portal):
    call = make_call()
    portal.set_person("rita", "pw", staff_claims("rita@vlaio.be", reviewer=True, manager=True, mfa=True))

    sign_in_through(client, portal, "agency", "rita")

    user = _signed_in_user(client)
    assert set(user.groups.values_list("name", flat=True)) == {REVIEWERS, CALL_MANAGERS} and user.is_staff
    assert client.get(reverse("reviews:dashboard")).status_code == 200
    assert client.get(reverse("reviews:call", kwargs={"slug": call.slug})).status_code == 200
    assert client.get("/admin/").status_code == 200


def test_staff_without_an_mfa_assertion_are_still_asked_for_the_portals_code(client, portal):
    portal.set_person("rita", "pw", staff_claims("rita@vlaio.be", reviewer=True, mfa=False))

    sign_in_through(client, portal, "agency", "rita")

    assert _signed_in_user(client) is not None
    response = client.get(reverse("reviews:dashboard"))
    assert response.status_code == 302 and response["Location"] == reverse("reviews:second_factor")


def test_a_staff_member_with_totp_skips_the_code_when_the_sso_asserted_mfa(client, portal):
    portal.set_person("rita", "pw", staff_claims("rita@vlaio.be", reviewer=True, mfa=True))
    sign_in_through(client, portal, "agency", "rita")
    user = _signed_in_user(client)
    TOTP.activate(user, TOTP_SECRET)
    client.post(reverse("account_logout"))

    response = sign_in_through(client, portal, "agency", "rita")

    assert response["Location"] == "/", response["Location"]  # not the code page
    assert client.get(reverse("reviews:dashboard")).status_code == 200


def test_a_staff_member_with_totp_is_asked_the_code_when_the_sso_did_not_assert_mfa(client, portal):
    portal.set_person("rita", "pw", staff_claims("rita@vlaio.be", reviewer=True, mfa=False))
    sign_in_through(client, portal, "agency", "rita")
    TOTP.activate(_signed_in_user(client), TOTP_SECRET)
    client.post(reverse("account_logout"))

    response = sign_in_through(client, portal, "agency", "rita")

    assert response["Location"] == reverse("mfa_authenticate")
    assert _signed_in_user(client) is None  # not until the code is given


def test_groups_taken_away_by_the_sso_are_taken_away_here(client, portal):
    portal.set_person("rita", "pw", staff_claims("rita@vlaio.be", reviewer=True, manager=True))
    sign_in_through(client, portal, "agency", "rita")
    client.post(reverse("account_logout"))

    portal.set_person("rita", "pw", staff_claims("rita@vlaio.be", reviewer=True))
    sign_in_through(client, portal, "agency", "rita")

    user = _signed_in_user(client)
    assert list(user.groups.values_list("name", flat=True)) == [REVIEWERS] and not user.is_staff
    assert AuditEvent.objects.filter(action="staff.role_removed", data__role=CALL_MANAGERS).count() == 1
    assert list(AuditEvent.objects.filter(action__startswith="staff.admin").order_by("pk").values_list("action", flat=True)) == [
        "staff.admin_granted",
        "staff.admin_removed",
    ]


def test_an_applicant_providers_groups_claim_grants_nothing(client, portal):
    portal.set_person("eve", "pw", {**applicant_claims("eve@voorbeeld.be"), "groups": [MANAGER_GROUP], "amr": ["mfa"]})

    sign_in_through(client, portal, "acm", "eve")

    user = _signed_in_user(client)
    assert not user.groups.exists() and not user.is_staff
    assert client.get(reverse("reviews:dashboard")).status_code == 403


def test_logout_ends_the_session_at_the_provider_too(client, portal):
    portal.set_person("an", "pw", applicant_claims("an@voorbeeld.be", NUMBER))
    sign_in_through(client, portal, "acm", "an")

    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == portal.discovery()["end_session_endpoint"]
    query = parse_qs(target.query)
    assert query["client_id"] == ["portal-acm"] and query["post_logout_redirect_uri"] == ["http://testserver/"]
    assert query["id_token_hint"][0].count(".") == 2  # the sign-in's ID token (a JWT)
    assert _signed_in_user(client) is None
    # The provider takes the hint as this sign-in's and sends the person straight back.
    back = requests.get(response["Location"], allow_redirects=False, timeout=10)
    assert back.status_code == 302 and back.headers["Location"] == "http://testserver/"


def test_a_password_logout_stays_in_the_portal(client, portal, user):
    client.force_login(user)
    response = client.post(reverse("account_logout"))
    assert response["Location"] == "/"


def test_with_password_accounts_off_only_a_superuser_signs_in_with_a_password(client, portal, user, settings):
    settings.PASSWORD_ACCOUNTS = False
    admin = UserFactory(is_superuser=True, is_staff=True)

    refused = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    signup = client.get(reverse("account_signup")).content.decode()

    assert refused.status_code == 200 and _signed_in_user(client) is None
    assert "Aanmelden met een wachtwoord is uitgeschakeld" in refused.content.decode()
    assert "Aanmelden bij de Vlaamse overheid" in refused.content.decode()
    assert 'name="password1"' not in signup  # allauth's "sign-up closed" page
    client.post(reverse("account_login"), {"login": admin.email, "password": PASSWORD})
    assert _signed_in_user(client) == admin
    # A first sign-in through the identity service still makes an account.
    client.post(reverse("account_logout"))
    portal.set_person("an", "pw", applicant_claims("an@voorbeeld.be", NUMBER))
    sign_in_through(client, portal, "acm", "an")
    assert _signed_in_user(client).email == "an@voorbeeld.be"


def test_password_accounts_off_is_a_configuration_django_runs_with():
    """Built from the environment, as a deployment sets it, the settings pass Django's and
    allauth's checks (allauth's own SOCIALACCOUNT_ONLY would not: it refuses allauth.mfa)."""
    environment = {
        **os.environ,
        "PASSWORD_ACCOUNTS": "False",
        "OIDC_PROVIDERS": "acm",
        "OIDC_ACM_ISSUER": "https://idp.example.org/op",
        "OIDC_ACM_CLIENT_ID": "portal",
        "OIDC_ACM_SECRET": "s",
        "OIDC_ACM_ENTERPRISE_CLAIM": "portal_rol_3d",
        "OIDC_ACM_ENTERPRISE_ROLES": "Aanvrager",
        "DJANGO_SETTINGS_MODULE": "clusterportal.settings",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr + result.stdout


def test_an_account_linked_to_a_provider_does_not_sign_in_with_its_password(client, portal):
    """Roles and memberships a provider gave expire when it is asked again: a password must
    not keep them past the provider's say (a call manager removed from the agency's group)."""
    manager = UserFactory(email="rita@vlaio.be", username="rita@vlaio.be")
    SocialAccount.objects.create(user=manager, provider="agency", uid="rita")

    response = client.post(reverse("account_login"), {"login": manager.email, "password": PASSWORD})

    assert _signed_in_user(client) is None
    assert "gebruik de knop ervan hieronder" in response.content.decode()


def test_an_applicant_providers_mfa_claim_never_skips_a_reviewers_code(client, portal):
    """A reviewer with TOTP who signs in through the applicants' service, whose ID token
    says amr=mfa: the code is still asked, and no second-factor record is written."""
    portal.set_person("rita", "pw", {**applicant_claims("rita@vlaio.be"), "amr": ["mfa"]})
    reviewer = UserFactory(email="rita@vlaio.be", username="rita@vlaio.be")
    reviewer.groups.add(Group.objects.get(name=REVIEWERS))
    TOTP.activate(reviewer, TOTP_SECRET)
    SocialAccount.objects.create(user=reviewer, provider="acm", uid="rita")

    response = sign_in_through(client, portal, "acm", "rita")

    assert response["Location"] == reverse("mfa_authenticate")
    assert _signed_in_user(client) is None


def test_the_organisation_page_says_the_sign_in_established_it_and_names_the_person_by_e_mail(client, portal):
    portal.set_person("an", "pw", applicant_claims("an@voorbeeld.be", NUMBER))
    sign_in_through(client, portal, "acm", "an")
    organisation = Organisation.objects.get(enterprise_number=NUMBER)

    shown = _messages(client)
    page = client.get(organisation.get_absolute_url()).content.decode()

    # allauth's "signed in as …" names the person as the header does, not by the provider's sub.
    signed_in_as = [m for m in shown if m.endswith("als an@voorbeeld.be.")]
    assert len(signed_in_as) == 1, shown
    # Without a KBO extract and without a name in the login: named by its number.
    assert organisation.name == "Onderneming 0403.019.261"
    assert "stelde de aanmelding van an@voorbeeld.be bij de aanmeldingsdienst van de overheid vast" in page
    assert "volgens de eigen aanmelding" in page and "nog niet ingevuld" in page


def test_the_linking_page_offers_each_person_only_the_providers_they_can_sign_in_at(client, portal, user):
    client.force_login(user)
    applicant_page = client.get(reverse("socialaccount_connections")).content.decode()
    staff = get_user_model().objects.create_user("rita@vlaio.be", "rita@vlaio.be", is_staff=True)
    client.force_login(staff)
    staff_page = client.get(reverse("socialaccount_connections")).content.decode()

    assert "Aanmelden bij de Vlaamse overheid" in applicant_page and "medewerker van VLAIO" not in applicant_page
    assert "medewerker van VLAIO" in staff_page and "Aanmelden bij de Vlaamse overheid" not in staff_page
    assert "Gekoppelde aanmeldingen" in applicant_page


def test_a_provider_naming_an_existing_accounts_e_mail_does_not_sign_into_that_account(client, portal, mailoutbox):
    """allauth's EMAIL_AUTHENTICATION stays off: a provider's say-so about an e-mail address
    never opens the password account that has it (its owner links the provider instead)."""
    owner = UserFactory(email="an@voorbeeld.be", username="an@voorbeeld.be")
    portal.set_person("someone", "pw", applicant_claims("an@voorbeeld.be", NUMBER))

    response = sign_in_through(client, portal, "acm", "someone")

    assert _signed_in_user(client) is None
    assert not Membership.objects.filter(user=owner).exists() and not Organisation.objects.exists()
    # allauth answers as for any sign-up with a taken address (no account enumeration): the
    # address's owner is told by e-mail, the visitor is asked to confirm the address.
    page = client.get(response["Location"]).content.decode() if response.status_code == 302 else response.content.decode()
    assert "Verifieer je e-mailadres" in page
    assert [m.to for m in mailoutbox] == [["an@voorbeeld.be"]]
