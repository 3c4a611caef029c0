"""allauth's TOTP step of a login, skipped when the agency's single sign-on asserted a
second factor for this very sign-in (its ID token's ``amr``/``acr``, see claims): asking
for a portal code on top would only teach staff to type codes wherever they are asked."""

from allauth.mfa.stages import AuthenticateStage

from clusterportal.identity.claims import asserts_second_factor, provider_config
from clusterportal.identity.login import id_token_claims


def _asserted_by_staff_provider(login) -> bool:
    sociallogin = (login.signal_kwargs or {}).get("sociallogin")
    if sociallogin is None:
        return False
    provider = provider_config(sociallogin.account.provider)
    if provider is None or not provider.for_staff:
        return False
    return asserts_second_factor(provider, id_token_claims(sociallogin))


class SecondFactorStage(AuthenticateStage):
    def _should_handle(self, request) -> bool:
        if _asserted_by_staff_provider(self.login):
            return False
        return super()._should_handle(request)
