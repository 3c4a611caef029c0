"""The portal configured with the test provider (tests/oidc/conftest.py), and signing in
through it as a person does: the portal's sign-in button, the provider's login form,
back to the portal's callback. Two providers, as a deployment has them: ``acm`` (the
government's identity service, for applicants) and ``agency`` (the agency's single
sign-on, for staff)."""

from dataclasses import replace

import requests
from allauth.socialaccount.models import SocialAccount
from django.test import override_settings

from clusterportal.identity.config import STAFF, IdentityProvider
from intake.kernel.roles import CALL_MANAGERS, REVIEWERS

ENTERPRISE_CLAIM = "clusterportal_rol_3d"
APPLICANT_ROLE = "ClusterAanvrager"
REVIEWER_GROUP = "vlaio-beoordelaars"
MANAGER_GROUP = "vlaio-oproepbeheer"
SECRETS = {"acm": "acm-client-secret", "agency": "agency-client-secret"}


def providers_for(oidc_provider) -> tuple[IdentityProvider, IdentityProvider]:
    acm = IdentityProvider(
        id="acm",
        name="Aanmelden bij de Vlaamse overheid",
        issuer=oidc_provider.issuer,
        client_id="portal-acm",
        secret=SECRETS["acm"],
        enterprise_claim=ENTERPRISE_CLAIM,
        enterprise_roles=frozenset({APPLICANT_ROLE}),
    )
    agency = replace(
        acm,
        id="agency",
        name="Aanmelden als medewerker van VLAIO",
        client_id="portal-agency",
        secret=SECRETS["agency"],
        audience=STAFF,
        enterprise_claim="",
        enterprise_roles=frozenset(),
        reviewer_groups=frozenset({REVIEWER_GROUP}),
        manager_groups=frozenset({MANAGER_GROUP}),
    )
    return acm, agency


def portal_settings(oidc_provider, *portal_urls: str) -> override_settings:
    """Settings as settings.py builds them from OIDC_* for the two providers, with each
    client registered at the provider for the portal's callback at every ``portal_urls``."""
    providers = providers_for(oidc_provider)
    for provider in providers:
        oidc_provider.register_client(
            provider.client_id,
            provider.secret,
            [f"{url}/accounts/oidc/{provider.id}/login/callback/" for url in portal_urls],
            post_logout_redirect_uris=[f"{url}/" for url in portal_urls],
        )
    return override_settings(
        IDENTITY_PROVIDERS=providers,
        SOCIALACCOUNT_PROVIDERS={"openid_connect": {"OAUTH_PKCE_ENABLED": True, "APPS": [p.allauth_app() for p in providers]}},
    )


def applicant_claims(email: str, *numbers: str, role: str = APPLICANT_ROLE) -> dict:
    return {
        "email": email,
        "email_verified": True,
        "given_name": "An",
        "family_name": "Peeters",
        ENTERPRISE_CLAIM: [f"{role}:{number}" for number in numbers],
    }


def staff_claims(email: str, *, reviewer=False, manager=False, mfa=True) -> dict:
    groups = [name for name, on in ((REVIEWER_GROUP, reviewer), (MANAGER_GROUP, manager)) if on]
    return {"email": email, "email_verified": True, "groups": groups, "amr": ["pwd", "mfa"] if mfa else ["pwd"]}


def start(client, provider_id: str):
    """Press the portal's sign-in button for ``provider_id``: the answer is the redirect
    to the provider's authorization endpoint."""
    return client.post(f"/accounts/oidc/{provider_id}/login/")


def sign_in_through(client, oidc_provider, provider_id: str, username: str, *, browser=None):
    """The whole flow with the Django test client; returns the portal's answer to the
    callback. ``browser`` is the person's cookie jar at the provider."""
    response = start(client, provider_id)
    assert response.status_code == 302, response
    callback = oidc_provider.authorize(browser or requests.Session(), response["Location"], username, "pw")
    assert callback.startswith("http://testserver/"), callback
    return client.get(callback.removeprefix("http://testserver"))


def sign_in_existing_user(client, oidc_provider, user, *, review=None, second_factor=True):
    """Sign ``user`` (made by the factories) in through the provider its role uses: staff
    through ``agency`` with their groups (and ``amr`` mfa when ``second_factor``), anyone
    else through ``acm`` with the enterprises of their organisations. The provider's
    account is linked to the user first, as after their first sign-in."""
    groups = set(user.groups.values_list("name", flat=True))
    if groups & {REVIEWERS, CALL_MANAGERS}:
        provider_id = "agency"
        claims = staff_claims(user.email, reviewer=REVIEWERS in groups, manager=CALL_MANAGERS in groups, mfa=second_factor)
    else:
        provider_id = "acm"
        numbers = user.organisations.values_list("enterprise_number", flat=True)
        claims = applicant_claims(user.email, *numbers)
    username = f"{provider_id}-{user.pk}"
    SocialAccount.objects.get_or_create(user=user, provider=provider_id, uid=username)
    oidc_provider.set_person(username, "pw", claims)
    response = sign_in_through(client, oidc_provider, provider_id, username)
    assert response.status_code == 302 and "/accounts/" not in response["Location"], response.get("Location")
    return user
