"""The test OpenID Connect provider itself, over HTTP with requests only (no portal): what
the portal's sign-in tests rely on it to do, including the hostile ID tokens."""

import base64
import hashlib
import secrets
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
import requests

CLIENT_ID = "clusterportal-test"
SECRET = "a plain secret the client sends"
# The Django test client's host: what the portal's tests register. Never requested.
REDIRECT_URI = "http://testserver/accounts/oidc/vlaio/login/callback/"
PASSWORD = "correct horse"
CLAIMS = {
    "email": "an.peeters@example.be",
    "email_verified": True,
    "name": "An Peeters",
    "given_name": "An",
    "family_name": "Peeters",
    "enterprise_roles": ["applicant", "network_coordinator"],
    "groups": ["cluster-x"],
    "amr": ["pwd", "otp"],
    "acr": "urn:vlaio:loa:substantial",
}


@pytest.fixture
def provider(oidc_provider):
    oidc_provider.register_client(CLIENT_ID, SECRET, [REDIRECT_URI], post_logout_redirect_uris=["http://testserver/"])
    return oidc_provider


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def _sign_in(provider, username: str, *, pkce: bool = True, session: requests.Session | None = None) -> dict:
    """The code flow as the portal runs it: authorization request (state, nonce, PKCE
    S256), sign-in at the provider, code for tokens at the token endpoint."""
    discovery = provider.discovery()
    verifier, challenge = _pkce()
    state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    query = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "scope": "openid profile email",
        "state": state,
        "nonce": nonce,
    }
    if pkce:
        query |= {"code_challenge": challenge, "code_challenge_method": "S256"}
    callback = provider.authorize(
        session or requests.Session(), f"{discovery['authorization_endpoint']}?{urlencode(query)}", username, PASSWORD
    )
    assert callback.split("?")[0] == REDIRECT_URI
    answer = {key: values[0] for key, values in parse_qs(urlsplit(callback).query).items()}
    assert answer["state"] == state
    if "code" not in answer:
        return {"callback": answer}
    response = requests.post(
        discovery["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": answer["code"],
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
        },
        auth=(CLIENT_ID, SECRET),
        timeout=15,
    )
    assert response.status_code == 200, response.text
    return {"callback": answer, "nonce": nonce, "discovery": discovery, **response.json()}


def _published_key(provider, id_token: str):
    kid = jwt.get_unverified_header(id_token)["kid"]
    return jwt.PyJWKSet.from_dict(requests.get(provider.jwks_url, timeout=15).json())[kid]


def _verified(provider, id_token: str, **options) -> dict:
    return jwt.decode(
        id_token, _published_key(provider, id_token), algorithms=["RS256"], audience=CLIENT_ID, issuer=provider.issuer, **options
    )


def test_the_discovery_document_names_every_endpoint_the_portal_uses(oidc_provider):
    response = requests.get(oidc_provider.discovery_url, timeout=15)

    assert response.status_code == 200
    discovery = response.json()
    assert discovery["issuer"] == oidc_provider.issuer
    assert oidc_provider.issuer == f"{oidc_provider.base_url}/o"
    base = oidc_provider.issuer
    assert discovery["authorization_endpoint"] == f"{base}/authorize/"
    assert discovery["token_endpoint"] == f"{base}/token/"
    assert discovery["userinfo_endpoint"] == f"{base}/userinfo/"
    assert discovery["jwks_uri"] == oidc_provider.jwks_url
    assert discovery["end_session_endpoint"] == f"{base}/logout/"
    assert "RS256" in discovery["id_token_signing_alg_values_supported"]
    assert {"openid", "profile", "email"} <= set(discovery["scopes_supported"])
    assert "S256" in discovery["code_challenge_methods_supported"]


def test_django_allauth_finds_the_discovery_document_from_the_issuer(oidc_provider):
    # allauth's openid_connect provider appends /.well-known/openid-configuration to a
    # server_url without it; the issuer is what the portal will be configured with.
    response = requests.get(f"{oidc_provider.issuer}/.well-known/openid-configuration", timeout=15)

    assert response.status_code == 200
    assert response.json()["issuer"] == oidc_provider.issuer


def test_the_code_flow_with_pkce_gives_an_id_token_signed_with_the_published_key(provider):
    provider.set_person("an", PASSWORD, CLAIMS)

    tokens = _sign_in(provider, "an")

    header = jwt.get_unverified_header(tokens["id_token"])
    assert header["alg"] == "RS256"
    claims = _verified(provider, tokens["id_token"])
    assert claims["nonce"] == tokens["nonce"]
    assert claims["aud"] == CLIENT_ID
    assert claims["iss"] == provider.issuer
    assert claims["sub"] == "an"
    assert {key: claims[key] for key in CLAIMS} == CLAIMS
    assert claims["exp"] > time.time()


def test_userinfo_gives_the_same_claims_as_the_id_token(provider):
    provider.set_person("an", PASSWORD, {**CLAIMS, "sub": "b2c4a6e0-vlaio-0042"})
    tokens = _sign_in(provider, "an")

    response = requests.get(
        tokens["discovery"]["userinfo_endpoint"], headers={"Authorization": f"Bearer {tokens['access_token']}"}, timeout=15
    )

    assert response.status_code == 200, response.text
    assert response.json() == {**CLAIMS, "sub": "b2c4a6e0-vlaio-0042"}
    assert _verified(provider, tokens["id_token"])["sub"] == "b2c4a6e0-vlaio-0042"


def test_an_authorization_request_without_pkce_is_refused(provider):
    provider.set_person("an", PASSWORD, CLAIMS)

    answer = _sign_in(provider, "an", pkce=False)

    assert "code" not in answer["callback"]
    assert answer["callback"]["error"] == "invalid_request"


def test_a_code_without_its_verifier_gets_no_tokens(provider):
    provider.set_person("an", PASSWORD, CLAIMS)
    discovery = provider.discovery()
    _, challenge = _pkce()
    query = urlencode(
        {
            "response_type": "code",
            "client_id": CLIENT_ID,
            "redirect_uri": REDIRECT_URI,
            "scope": "openid",
            "state": "s",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    callback = provider.authorize(requests.Session(), f"{discovery['authorization_endpoint']}?{query}", "an", PASSWORD)
    code = parse_qs(urlsplit(callback).query)["code"][0]

    response = requests.post(
        discovery["token_endpoint"],
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI, "code_verifier": "not-it" * 8},
        auth=(CLIENT_ID, SECRET),
        timeout=15,
    )

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_a_wrong_password_is_refused_at_the_login_form(provider):
    provider.set_person("an", "another password", CLAIMS)

    with pytest.raises(AssertionError, match="refused to sign in 'an'"):
        _sign_in(provider, "an")


def test_an_expired_id_token_is_signed_correctly_but_expired(provider):
    provider.set_person("an", PASSWORD, CLAIMS, id_token="expired")

    tokens = _sign_in(provider, "an")

    with pytest.raises(jwt.ExpiredSignatureError):
        _verified(provider, tokens["id_token"])
    claims = _verified(provider, tokens["id_token"], options={"verify_exp": False})
    assert claims["exp"] <= time.time() - 600
    assert claims["iat"] < claims["exp"]
    assert claims["nonce"] == tokens["nonce"]


def test_a_wrongly_signed_id_token_names_the_published_key_but_does_not_verify(provider):
    provider.set_person("an", PASSWORD, CLAIMS, id_token="wrong_signature")

    tokens = _sign_in(provider, "an")

    published_kid = requests.get(provider.jwks_url, timeout=15).json()["keys"][0]["kid"]
    assert jwt.get_unverified_header(tokens["id_token"])["kid"] == published_kid
    with pytest.raises(jwt.InvalidSignatureError):
        _verified(provider, tokens["id_token"])
    claims = jwt.decode(tokens["id_token"], options={"verify_signature": False})
    assert claims["nonce"] == tokens["nonce"]
    assert claims["aud"] == CLIENT_ID
    assert claims["enterprise_roles"] == CLAIMS["enterprise_roles"]


def test_an_id_token_with_the_wrong_nonce_is_otherwise_valid(provider):
    provider.set_person("an", PASSWORD, CLAIMS, id_token="wrong_nonce")

    tokens = _sign_in(provider, "an")

    claims = _verified(provider, tokens["id_token"])
    assert claims["nonce"]
    assert claims["nonce"] != tokens["nonce"]


def test_an_id_token_for_another_client_is_otherwise_valid(provider):
    provider.set_person("an", PASSWORD, CLAIMS, id_token="wrong_audience")

    tokens = _sign_in(provider, "an")

    with pytest.raises(jwt.InvalidAudienceError):
        _verified(provider, tokens["id_token"])
    claims = _verified(provider, tokens["id_token"], options={"verify_aud": False})
    assert claims["aud"] != CLIENT_ID
    assert claims["nonce"] == tokens["nonce"]


def test_claims_changed_between_two_logins_are_in_the_second_token(provider):
    provider.set_person("an", PASSWORD, CLAIMS)
    browser = requests.Session()
    first = _verified(provider, _sign_in(provider, "an", session=browser)["id_token"])

    provider.set_person("an", PASSWORD, {**CLAIMS, "enterprise_roles": ["agency_staff"], "email": "an@vlaio.be"})
    # The same browser: still signed in at the provider, so no login form this time.
    second = _verified(provider, _sign_in(provider, "an", session=browser)["id_token"])

    assert first["enterprise_roles"] == ["applicant", "network_coordinator"]
    assert second["enterprise_roles"] == ["agency_staff"]
    assert second["email"] == "an@vlaio.be"


def test_the_provider_sets_only_its_own_cookie_names(provider):
    # The portal on the same host (cookies are not port-scoped) keeps its sessionid
    # and csrftoken.
    provider.set_person("an", PASSWORD, CLAIMS)
    browser = requests.Session()

    _sign_in(provider, "an", session=browser)

    assert {cookie.name for cookie in browser.cookies} == {"oidc_provider_sessionid", "oidc_provider_csrftoken"}


def test_sign_out_at_the_end_session_endpoint_redirects_back(provider):
    provider.set_person("an", PASSWORD, CLAIMS)
    browser = requests.Session()
    tokens = _sign_in(provider, "an", session=browser)

    response = browser.get(
        tokens["discovery"]["end_session_endpoint"],
        params={"id_token_hint": tokens["id_token"], "post_logout_redirect_uri": "http://testserver/", "state": "bye"},
        allow_redirects=False,
        timeout=15,
    )

    assert response.status_code == 302, response.text
    assert response.headers["Location"] == "http://testserver/?state=bye"
    assert "oidc_provider_sessionid" not in browser.cookies
