"""The second-factor check shared by the admin site and the reviewer dashboard: the user
has a TOTP authenticator and this session passed it."""

from allauth.account.internal.flows.login import get_authentication_records, record_authentication
from allauth.mfa.models import Authenticator


def has_totp_authenticator(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def signed_in_with_second_factor(request) -> bool:
    if not has_totp_authenticator(request.user):
        return False
    return any(record.get("method") == "mfa" for record in get_authentication_records(request, request.user))


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
