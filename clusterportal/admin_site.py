"""The admin site behind allauth's login (rate limits, verified e-mail, TOTP) and, for
the agency's staff, the same second factor the reviewer dashboard asks for: the admin
shows every submission and grants extensions, so a password alone is not enough."""

from functools import wraps

from allauth.account.decorators import secure_admin_login
from allauth.socialaccount.models import SocialApp, SocialToken
from django.conf import settings
from django.contrib import admin
from django.shortcuts import redirect

from clusterportal.second_factor import signed_in_with_second_factor


def _second_factor_ok(request) -> bool:
    if not settings.REVIEWS_REQUIRE_MFA:
        return True
    return signed_in_with_second_factor(request)


def install() -> None:
    admin.site.site_header = "clusterportal — beheer"
    admin.site.site_title = "clusterportal"
    plain_has_permission = admin.site.has_permission
    allauth_login = secure_admin_login(admin.site.login)

    def has_permission(request):
        return plain_has_permission(request) and _second_factor_ok(request)

    @wraps(admin.site.login)
    def login(request, extra_context=None):
        # Signed in as staff but without the second factor: explain, don't loop.
        if request.user.is_authenticated and request.user.is_staff and not _second_factor_ok(request):
            return redirect("reviews:second_factor")
        return allauth_login(request, extra_context)

    admin.site.has_permission = has_permission
    admin.site.login = login
    # Identity providers are configured from the environment (clusterportal.identity.config)
    # and no provider token is stored: allauth's pages for both would only mislead. Linked
    # sign-ins (social accounts) stay visible.
    for model in (SocialApp, SocialToken):
        if admin.site.is_registered(model):
            admin.site.unregister(model)
