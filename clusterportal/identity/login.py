"""What a sign-in through a provider changes in the portal, applied at every sign-in
(allauth's ``user_logged_in``, after every login stage): for applicants, the enterprises
the ID token names; for staff, the agency's roles and whether this sign-in counts as
the second factor. A password sign-in changes nothing here."""

from allauth.account.internal.flows.login import record_authentication
from django.contrib import messages
from django.utils.translation import gettext as _

from clusterportal.identity.claims import asserts_second_factor, enterprise_roles, provider_config, staff_roles
from intake.kernel.validators import format_enterprise_number
from intake.services.groups import roles_from_login
from intake.services.representation import Asserted, representation_from_login

#: The session keys of the sign-in to end at the provider on logout (adapters.AccountAdapter):
#: which provider, and its ID token as ``id_token_hint``, so the provider ends its session
#: without asking the person to confirm (OpenID Connect RP-Initiated Logout 1.0). The token
#: lives as long as the session (in the session store) and names only what the person's own
#: sign-in said; it is sent only to the provider that issued it.
PROVIDER_SESSION_KEY = "identity_provider"
ID_TOKEN_SESSION_KEY = "identity_id_token"  # noqa: S105 -- a session key's name, not a secret


def id_token_claims(sociallogin) -> dict:
    return sociallogin.account.extra_data.get("id_token") or {}


def apply_claims_at_login(sender, request, user, sociallogin=None, **kwargs) -> None:
    if sociallogin is None:
        return
    provider = provider_config(sociallogin.account.provider)
    if provider is None:  # a provider removed from the configuration since
        return
    claims = id_token_claims(sociallogin)
    request.session[PROVIDER_SESSION_KEY] = provider.id
    request.session[ID_TOKEN_SESSION_KEY] = sociallogin.state.get("id_token", "")
    if provider.for_staff:
        _apply_staff(request, user, provider, claims)
    else:
        _apply_applicant(request, user, provider, claims, subject=sociallogin.account.uid)


def _apply_staff(request, user, provider, claims) -> None:
    reviewer, call_manager = staff_roles(provider, claims)
    roles_from_login(user=user, reviewer=reviewer, call_manager=call_manager, provider=provider.id)
    if asserts_second_factor(provider, claims):
        # The same record a TOTP step leaves (clusterportal.second_factor reads it), naming
        # what the provider asserted, so the admin and /reviews/ see this sign-in's factor.
        record_authentication(
            request, user, "mfa", type="oidc", provider=provider.id, amr=claims.get("amr"), acr=claims.get("acr")
        )


def _apply_applicant(request, user, provider, claims, *, subject: str) -> None:
    asserted = [Asserted(enterprise_number=found.number, role=found.role) for found in enterprise_roles(provider, claims)]
    outcome = representation_from_login(
        user=user, provider=provider.id, provider_name=provider.name, subject=subject, asserted=asserted
    )
    for organisation in outcome.joined:
        messages.success(
            request,
            _("Your sign-in says you act for enterprise %(number)s (%(name)s): you are a member of it in the portal.")
            % {"name": organisation.name, "number": organisation.enterprise_number_display},
        )
    for organisation in outcome.ended:
        messages.warning(
            request,
            _("Your sign-in no longer says you act for enterprise %(number)s (%(name)s): your membership has ended.")
            % {"name": organisation.name, "number": organisation.enterprise_number_display},
        )
    for organisation in outcome.unconfirmed:
        messages.warning(
            request,
            _(
                "Your sign-in no longer says you act for enterprise %(number)s (%(name)s): you stay a member, "
                "as added in the portal, without that confirmation."
            )
            % {"name": organisation.name, "number": organisation.enterprise_number_display},
        )
    for organisation in outcome.awaiting_agency:
        messages.info(
            request,
            _(
                "Your sign-in confirms that you act for enterprise %(number)s. The organisation has other owners "
                "who were added in the portal: VLAIO still verifies it."
            )
            % {"number": organisation.enterprise_number_display},
        )
    for number, problems in outcome.refused:
        messages.error(
            request,
            _("Your sign-in names enterprise %(number)s, which the company register does not allow as an applicant: %(problems)s")
            % {"number": format_enterprise_number(number), "problems": " ".join(problems)},
        )
