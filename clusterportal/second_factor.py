"""The second-factor check shared by the admin site and the reviewer dashboard: the user
has a TOTP authenticator and this session passed it, or the agency's single sign-on
asserted a second factor when this session signed in."""

from allauth.account.internal.flows.login import get_authentication_records, record_authentication
from allauth.mfa.models import Authenticator


def has_totp_authenticator(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def signed_in_with_second_factor(request) -> bool:
    """A TOTP step in this session (while the user still has the authenticator), or a
    sign-in through the agency's single sign-on that asserted a second factor
    (clusterportal.identity.login records it as an "mfa" step of type "oidc")."""
    records = [r for r in get_authentication_records(request, request.user) if r.get("method") == "mfa"]
    if any(record.get("type") == "oidc" for record in records):
        return True
    return bool(records) and has_totp_authenticator(request.user)


def count_activation_for_this_session(sender, request, user, authenticator, **kwargs) -> None:
    """Receiver of allauth's ``authenticator_added``: activating TOTP counts as this
    session's second step, so a reviewer who has just set it up need not sign out and in.

    It is as strong as signing in with a code: allauth sends the signal for TOTP only after
    the activation form verified a code generated from the new secret (possession of the
    device), in a session that signed in with the password and, for this change, recently
    re-authenticated. Recovery codes (generated alongside) and any other authenticator
    type do not count, nor a request of another user than the one the authenticator is for."""
    if authenticator.type != Authenticator.Type.TOTP or request is None:
        return
    if not request.user.is_authenticated or request.user.pk != user.pk or authenticator.user_id != user.pk:
        return
    # The same record allauth's login makes after the code step (mfa.base.internal.flows).
    record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type, activated=True)
