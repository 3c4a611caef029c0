"""The portal's allauth adapters: the TOTP step that knows about a provider's second
factor (stages), password accounts that a deployment can switch off (PASSWORD_ACCOUNTS:
no sign-up form, no password login but a superuser's), a password login refused for an
account linked to a provider (its grants expire only when the provider is asked again),
and logout that also ends the session at the provider when it offers an end-session
endpoint."""

import logging

import requests
from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter, get_adapter
from allauth.socialaccount.models import SocialAccount
from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from clusterportal.identity.claims import provider_config
from clusterportal.identity.login import ID_TOKEN_SESSION_KEY, PROVIDER_SESSION_KEY

logger = logging.getLogger(__name__)

_MFA_STAGE = "allauth.mfa.stages.AuthenticateStage"

PASSWORDS_OFF = _("Signing in with a password is switched off: sign in through the identity service below.")
LINKED_ACCOUNT = _("This account signs in through an identity service: use its button below, not a password.")


def user_display(user) -> str:
    """How allauth names a person ("Je bent aangemeld als …"): the e-mail address the
    header shows, not a username a provider's subject may have filled in."""
    return user.email or user.get_username()


class AccountAdapter(DefaultAccountAdapter):
    def get_login_stages(self) -> list[str]:
        return ["clusterportal.identity.stages.SecondFactorStage" if s == _MFA_STAGE else s for s in super().get_login_stages()]

    def is_open_for_signup(self, request) -> bool:
        # The e-mail/password sign-up form; a provider's sign-up is the social adapter's.
        return settings.PASSWORD_ACCOUNTS

    def authenticate(self, request, **credentials):
        user = super().authenticate(request, **credentials)
        if user is not None and not user.is_superuser:
            if not settings.PASSWORD_ACCOUNTS:
                raise forms.ValidationError(PASSWORDS_OFF, code="password_accounts_off")
            providers = [provider.id for provider in settings.IDENTITY_PROVIDERS]
            if providers and SocialAccount.objects.filter(user=user, provider__in=providers).exists():
                # Roles and memberships a provider gave are brought up to date only when it
                # is asked: a password would keep them past the provider's say (a call
                # manager removed from the agency's group). Superusers keep a way in.
                raise forms.ValidationError(LINKED_ACCOUNT, code="linked_to_a_provider")
        return user

    def get_logout_redirect_url(self, request) -> str:
        # allauth asks before it logs out, while the session still says which provider
        # it signed in through.
        if request.user.is_authenticated:
            url = _end_session_url(request, request.session.get(PROVIDER_SESSION_KEY), request.session.get(ID_TOKEN_SESSION_KEY))
            if url:
                return url
        return super().get_logout_redirect_url(request)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin) -> bool:
        # A first sign-in through a provider makes the account, also when the password
        # sign-up form is closed (the account adapter's is_open_for_signup).
        return True


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
