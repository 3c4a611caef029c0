"""The portal's allauth adapters: the TOTP step that knows about a provider's second
factor (stages), password accounts that a deployment can switch off, and logout that
also ends the session at the provider when it offers an end-session endpoint."""

import logging

import requests
from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import get_adapter
from django.urls import reverse
from django.utils.http import urlencode

from clusterportal.identity.claims import provider_config
from clusterportal.identity.login import ID_TOKEN_SESSION_KEY, PROVIDER_SESSION_KEY

logger = logging.getLogger(__name__)

_MFA_STAGE = "allauth.mfa.stages.AuthenticateStage"


def user_display(user) -> str:
    """How allauth names a person ("Je bent aangemeld als …"): the e-mail address the
    header shows, not a username a provider's subject may have filled in."""
    return user.email or user.get_username()


class AccountAdapter(DefaultAccountAdapter):
    def get_login_stages(self) -> list[str]:
        return ["clusterportal.identity.stages.SecondFactorStage" if s == _MFA_STAGE else s for s in super().get_login_stages()]

    def get_logout_redirect_url(self, request) -> str:
        # allauth asks before it logs out, while the session still says which provider
        # it signed in through.
        if request.user.is_authenticated:
            url = _end_session_url(request, request.session.get(PROVIDER_SESSION_KEY), request.session.get(ID_TOKEN_SESSION_KEY))
            if url:
                return url
        return super().get_logout_redirect_url(request)


def _end_session_url(request, provider_id: str | None, id_token: str | None) -> str | None:
    """The provider's end-session endpoint (RP-initiated logout), back to the portal's home
    page afterwards; None when the provider offers none or cannot be asked now (the local
    logout happens anyway: a provider being down never keeps anyone signed in here)."""
    provider = provider_config(provider_id) if provider_id else None
    if provider is None:
        return None
    try:
        with get_adapter().get_requests_session() as session:
            response = session.get(provider.allauth_app()["settings"]["server_url"], timeout=5)
            response.raise_for_status()
            endpoint = response.json().get("end_session_endpoint")
    except (requests.RequestException, ValueError):
        logger.warning("identity provider %s: discovery failed at logout; logged out locally", provider.id, exc_info=True)
        return None
    if not endpoint:
        return None
    back = request.build_absolute_uri(reverse("intake:home"))
    query = {"client_id": provider.client_id, "post_logout_redirect_uri": back}
    if id_token:
        query["id_token_hint"] = id_token
    return f"{endpoint}?{urlencode(query)}"
