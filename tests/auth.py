"""Signing in as allauth does: a password step and, for the agency's staff, a TOTP step
recorded in the session, so views that require a second factor see a real one."""

import time

from allauth.account.internal.flows.login import record_authentication
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.base.internal.flows import post_authentication
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from django.test import RequestFactory

TOTP_SECRET = "JBSWY3DPEHPK3PXP"


def current_totp_code(secret: str = TOTP_SECRET) -> str:
    """The code an authenticator app shows now (the middle of the periods allauth accepts:
    settings.MFA_TOTP_TOLERANCE lets it still count when the request lands in the next one)."""
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


def totp_code_at(secret: str, counter: int) -> str:
    """The code of the 30 s period ``counter`` (Unix time // period)."""
    return format_hotp_value(hotp_value(secret, counter))


def totp_counter_now() -> int:
    return int(time.time()) // mfa_settings.TOTP_PERIOD


def sign_in(client, user, *, second_factor: bool = True, authenticator: bool | None = None):
    """Sign ``user`` in on ``client``. With ``second_factor`` the session records a password
    step and then a TOTP step exactly as allauth's login and MFA flows record them
    (allauth.account.internal.flows.login.record_authentication and
    allauth.mfa.base.internal.flows.post_authentication). ``authenticator`` (default: same
    as ``second_factor``) says whether the user has a TOTP authenticator at all."""
    client.force_login(user)
    has_authenticator = second_factor if authenticator is None else authenticator
    totp = None
    if has_authenticator:
        totp, _created = Authenticator.objects.get_or_create(
            user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": TOTP_SECRET}}
        )
    session = client.session
    request = RequestFactory().get("/accounts/login/")
    request.session = session
    request.user = user
    record_authentication(request, user, "password", email=user.email)
    if second_factor:
        if totp is not None:
            post_authentication(request, totp)
        else:  # a session that passed a second factor of an authenticator since removed
            record_authentication(request, user, "mfa", type="totp")
    session.save()
    return client
