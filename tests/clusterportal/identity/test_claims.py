"""Reading an ID token's claims by a provider's configuration: which enterprises, which
agency roles, whether the sign-in was multi-factor. And the configuration itself."""

import environ
import pytest
from django.core.exceptions import ImproperlyConfigured

from clusterportal.identity.claims import EnterpriseRole, asserts_second_factor, enterprise_roles, staff_roles
from clusterportal.identity.config import STAFF, IdentityProvider, providers_from_env

ACM = IdentityProvider(
    id="acm",
    name="Aanmelden bij de Vlaamse overheid",
    issuer="https://idp.example.org/op",
    client_id="portal",
    secret="s",
    enterprise_claim="portal_rol_3d",
    enterprise_roles=frozenset({"Aanvrager"}),
)
AGENCY = IdentityProvider(
    id="agency",
    name="VLAIO",
    issuer="https://sso.example.org",
    client_id="portal",
    secret="s",
    audience=STAFF,
    reviewer_groups=frozenset({"beoordelaars"}),
    manager_groups=frozenset({"oproepbeheer"}),
    mfa_amr=frozenset({"mfa", "hwk"}),
    mfa_acr=frozenset({"urn:vlaio:loa:substantial"}),
)


def test_the_enterprise_role_claim_in_the_identity_services_shape():
    claims = {"portal_rol_3d": ["Aanvrager:0403019261", "Lezer:0202239951", "Aanvrager:BE 0202.239.951,0403.019.261"]}
    assert enterprise_roles(ACM, claims) == [
        EnterpriseRole(number="0403019261", role="Aanvrager"),
        EnterpriseRole(number="0202239951", role="Aanvrager"),
    ]


def test_a_single_string_value_counts_as_a_list_of_one():
    assert enterprise_roles(ACM, {"portal_rol_3d": "Aanvrager:0403019261"}) == [EnterpriseRole("0403019261", "Aanvrager")]


@pytest.mark.parametrize(
    "claims",
    [
        {},  # the claim is absent
        {"portal_rol_3d": []},
        {"portal_rol_3d": ["Lezer:0403019261"]},  # a role the portal does not accept
        {"portal_rol_3d": ["Aanvrager:0403019262"]},  # wrong check digits
        {"portal_rol_3d": ["Aanvrager:0000000097"]},  # below 0200.000.000: never issued
        {"portal_rol_3d": ["0403019261"]},  # no role
        {"portal_rol_3d": 403019261},  # not a string
        {"other_claim": ["Aanvrager:0403019261"]},
    ],
)
def test_claims_that_assert_no_enterprise(claims):
    assert enterprise_roles(ACM, claims) == []


def test_without_accepted_roles_no_role_counts():
    """Failing closed: a read-only role never makes anyone an owner by omission."""
    nobody = IdentityProvider(**{**ACM.__dict__, "enterprise_roles": frozenset()})
    assert enterprise_roles(nobody, {"portal_rol_3d": ["Lezer:0403019261", "Aanvrager:0403019261"]}) == []


def test_staff_roles_from_the_group_claim():
    assert staff_roles(AGENCY, {"groups": ["beoordelaars", "iedereen"]}) == (True, False)
    assert staff_roles(AGENCY, {"groups": ["oproepbeheer", "beoordelaars"]}) == (True, True)
    assert staff_roles(AGENCY, {"groups": "oproepbeheer"}) == (False, True)
    assert staff_roles(AGENCY, {}) == (False, False)


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        ({"amr": ["pwd", "mfa"]}, True),
        ({"amr": ["hwk"]}, True),
        ({"amr": ["pwd"]}, False),
        ({"amr": "mfa"}, True),
        ({"acr": "urn:vlaio:loa:substantial"}, True),
        ({"acr": "urn:vlaio:loa:low", "amr": ["pwd"]}, False),
        ({}, False),
    ],
)
def test_second_factor_asserted_by_amr_or_acr(claims, expected):
    assert asserts_second_factor(AGENCY, claims) is expected


def _env(monkeypatch, **values):
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return environ.Env()


def test_providers_from_the_environment(monkeypatch):
    env = _env(
        monkeypatch,
        OIDC_PROVIDERS="acm,agency",
        OIDC_ACM_ISSUER="https://idp.example.org/op",
        OIDC_ACM_CLIENT_ID="portal",
        OIDC_ACM_SECRET="geheim",
        OIDC_ACM_NAME="Aanmelden met itsme / eID",
        OIDC_ACM_SCOPES="openid profile email vo",
        OIDC_ACM_ENTERPRISE_CLAIM="portal_rol_3d",
        OIDC_ACM_ENTERPRISE_ROLES="Aanvrager,Vertegenwoordiger",
        OIDC_AGENCY_ISSUER="https://sso.example.org:8443/realm",
        OIDC_AGENCY_CLIENT_ID="portal",
        OIDC_AGENCY_SECRET="geheim",
        OIDC_AGENCY_AUDIENCE="staff",
        OIDC_AGENCY_REVIEWER_GROUPS="beoordelaars",
    )
    acm, agency = providers_from_env(env)
    assert acm.name == "Aanmelden met itsme / eID" and acm.scopes == ("openid", "profile", "email", "vo")
    assert acm.enterprise_roles == {"Aanvrager", "Vertegenwoordiger"} and not acm.for_staff
    assert agency.for_staff and agency.reviewer_groups == {"beoordelaars"} and agency.mfa_amr == {"mfa"}
    assert agency.origin == "https://sso.example.org:8443"
    app = acm.allauth_app()
    assert app["provider_id"] == "acm" and app["settings"]["oauth_pkce_enabled"] is True
    assert app["settings"]["server_url"] == "https://idp.example.org/op/.well-known/openid-configuration"


def test_a_named_provider_without_its_secret_stops_the_process(monkeypatch):
    env = _env(
        monkeypatch, OIDC_PROVIDERS="acm", OIDC_ACM_ISSUER="https://idp.example.org", OIDC_ACM_CLIENT_ID="p", OIDC_ACM_SECRET=""
    )
    with pytest.raises(ImproperlyConfigured, match="OIDC_ACM_SECRET"):
        providers_from_env(env)


def test_an_enterprise_claim_without_the_roles_that_count_stops_the_process(monkeypatch):
    env = _env(
        monkeypatch,
        OIDC_PROVIDERS="acm",
        OIDC_ACM_ISSUER="https://idp.example.org",
        OIDC_ACM_CLIENT_ID="p",
        OIDC_ACM_SECRET="s",
        OIDC_ACM_ENTERPRISE_CLAIM="portal_rol_3d",
        OIDC_ACM_ENTERPRISE_ROLES="",
    )
    with pytest.raises(ImproperlyConfigured, match="OIDC_ACM_ENTERPRISE_ROLES"):
        providers_from_env(env)


def test_more_origins_for_the_form_action_of_a_federated_provider(monkeypatch):
    env = _env(
        monkeypatch,
        OIDC_PROVIDERS="agency",
        OIDC_AGENCY_ISSUER="https://sso.example.org/realm",
        OIDC_AGENCY_CLIENT_ID="p",
        OIDC_AGENCY_SECRET="s",
        OIDC_AGENCY_FORM_ACTION="https://adfs.example.org,https://mfa.example.org",
    )
    (agency,) = providers_from_env(env)
    assert agency.origins == ("https://sso.example.org", "https://adfs.example.org", "https://mfa.example.org")


def test_no_providers_by_default(monkeypatch):
    monkeypatch.delenv("OIDC_PROVIDERS", raising=False)
    assert providers_from_env(environ.Env()) == ()
