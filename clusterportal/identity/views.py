"""allauth's OpenID Connect login and callback views with the portal's adapter.

allauth 65 skips the ID token's signature when the token came straight from the token
endpoint over TLS (OpenID Connect Core 3.1.3.7 allows it) and neither sends nor checks a
nonce. The portal checks both, so that a token is trusted for what it says (enterprise,
roles, second factor) only when the provider's key signed it for this very login."""

import jwt
from allauth.account.internal.decorators import login_not_required
from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.http import Http404

#: The ID token algorithms the portal accepts: asymmetric signatures with the provider's key.
SIGNING_ALGORITHMS = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"})


class PortalOIDCAdapter(OpenIDConnectOAuth2Adapter):
    #: allauth's state of the login being completed (set by the callback view), with the nonce.
    state: dict | None = None

    def complete_login(self, request, app, token, **kwargs):
        login = super().complete_login(request, app, token, **kwargs)
        expected = (self.state or {}).get("nonce")
        received = (login.account.extra_data.get("id_token") or {}).get("nonce")
        if not expected or received != expected:
            raise OAuth2Error("the ID token's nonce is not the one this login sent")
        # Kept with allauth's state of this login (it lives through the login's stages, a
        # TOTP step included) for the logout's id_token_hint (identity.login keeps it in the
        # session); never in a model.
        self.state["id_token"] = kwargs["response"].get("id_token", "")
        return login

    def _decode_id_token(self, app, id_token):
        # PyJWT is told the token's own header algorithm by allauth: only asymmetric ones are
        # accepted here, so "none" or an HMAC keyed with the public key never gets that far.
        try:
            algorithm = jwt.get_unverified_header(id_token).get("alg")
        except jwt.PyJWTError as error:
            raise OAuth2Error("the ID token is not a JWT") from error
        if algorithm not in SIGNING_ALGORITHMS:
            raise OAuth2Error(f"the ID token's algorithm {algorithm!r} is not accepted")
        return jwtkit.verify_and_decode(
            credential=id_token,
            keys_url=self.openid_config["jwks_uri"],
            issuer=self.openid_config["issuer"],
            audience=app.client_id,
            lookup_kid=jwtkit.lookup_kid_jwk,
            verify_signature=True,  # always: see the module's docstring
        )


class _CallbackView(OAuth2CallbackView):
    def _get_state(self, request, provider):
        state, response = super()._get_state(request, provider)
        self.adapter.state = state  # the adapter checks the nonce against it
        return state, response


@login_not_required
def login(request, provider_id):
    try:
        return OAuth2LoginView.adapter_view(PortalOIDCAdapter(request, provider_id))(request)
    except SocialApp.DoesNotExist:
        raise Http404 from None


@login_not_required
def callback(request, provider_id):
    try:
        return _CallbackView.adapter_view(PortalOIDCAdapter(request, provider_id))(request)
    except SocialApp.DoesNotExist:
        raise Http404 from None
