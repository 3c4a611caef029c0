"""allauth's OpenID Connect provider with a nonce: a random value stashed in allauth's
own login state and sent in the authorization request, that the ID token must carry
back (views.PortalOIDCAdapter checks it). It keeps allauth's id ``openid_connect``, so
the configuration is allauth's documented ``SOCIALACCOUNT_PROVIDERS["openid_connect"]``;
only its adapter and views are the portal's (identity.urls replaces allauth's)."""

import secrets

from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider

from clusterportal.identity.views import PortalOIDCAdapter


class PortalOIDCProvider(OpenIDConnectProvider):
    oauth2_adapter_class = PortalOIDCAdapter

    def redirect(self, request, process, next_url=None, data=None, **kwargs):
        # The authorization request is the portal's own: allauth would take extra auth
        # params and scopes from the login URL's query (?auth_params=…&scope=…), which a
        # link from anyone could use to add prompt, claims or even override redirect_uri.
        kwargs.pop("auth_params", None)
        kwargs.pop("scope", None)
        nonce = secrets.token_urlsafe(32)
        auth_params = {**self.get_auth_params(), "nonce": nonce}
        # Extra keyword arguments end in allauth's state for this login (stash_redirect_state).
        return super().redirect(
            request, process, next_url, data, auth_params=auth_params, scope=self.get_scope(), nonce=nonce, **kwargs
        )


provider_classes = [PortalOIDCProvider]
