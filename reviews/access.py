"""Who may use the reviewer dashboard: members of the Reviewers or Call managers group,
signed in with a second factor (TOTP). Everyone else gets 403 on every /reviews/ URL."""

import functools

from allauth.account.internal.flows.login import get_authentication_records
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from intake.roles import REVIEWERS
from intake.selectors import is_call_manager


def is_reviewer(user) -> bool:
    return user.is_authenticated and user.groups.filter(name=REVIEWERS).exists()


def is_agency(user) -> bool:
    return is_reviewer(user) or is_call_manager(user)


def signed_in_with_second_factor(request) -> bool:
    """The user has a TOTP authenticator and this session passed it."""
    if not Authenticator.objects.filter(user=request.user, type=Authenticator.Type.TOTP).exists():
        return False
    return any(record.get("method") == "mfa" for record in get_authentication_records(request, request.user))


def agency_required(view):
    """Signed in, reviewer or call manager (else 403), and with a second factor (else to
    the page that explains how to set it up)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_agency(request.user):
            raise PermissionDenied
        if settings.REVIEWS_REQUIRE_MFA and not signed_in_with_second_factor(request):
            return redirect("reviews:second_factor")
        return view(request, *args, **kwargs)

    return wrapper


def manager_required(view):
    @functools.wraps(view)
    @agency_required
    def wrapper(request, *args, **kwargs):
        if not is_call_manager(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
