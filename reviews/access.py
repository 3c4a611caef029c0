"""Who may use the reviewer dashboard: members of the Reviewers or Call managers group,
signed in with a second factor (TOTP). Everyone else gets 403 on every /reviews/ URL."""

import functools

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from clusterportal.second_factor import signed_in_with_second_factor
from intake.selectors.organisations import is_agency, is_call_manager


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
