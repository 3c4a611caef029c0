"""The second-factor check shared by the admin site and the reviewer dashboard: the user
has a TOTP authenticator and this session passed it."""

from allauth.account.internal.flows.login import get_authentication_records
from allauth.mfa.models import Authenticator


def signed_in_with_second_factor(request) -> bool:
    if not Authenticator.objects.filter(user=request.user, type=Authenticator.Type.TOTP).exists():
        return False
    return any(record.get("method") == "mfa" for record in get_authentication_records(request, request.user))
