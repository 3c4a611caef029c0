"""What a URL is about, resolved once for every view: the call, the organisation the user
acts for, and the dossier. Another organisation's object is a 404; a dossier whose
pre-registration is not submitted is refused with a clear message (403)."""

import functools

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from intake.kernel.errors import DomainError, DossierLocked
from intake.selectors import calls as call_selectors
from intake.selectors import dossiers as dossier_selectors
from intake.selectors import organisations as organisation_selectors
from intake.selectors import preregistrations as preregistration_selectors
from intake.services.dossiers import dossier_for
from intake.web.errors import report


def chosen_organisation(request):
    """The organisation the user acts for: ?organisation=<id> (or the POSTed field), or
    their only organisation. None when the user must choose or create one."""
    raw = request.POST.get("organisation") or request.GET.get("organisation")
    if raw:
        try:
            return organisation_selectors.organisation_for_user(user=request.user, pk=int(raw))
        except ValueError:
            raise Http404 from None
    only = list(organisation_selectors.organisations_for_user(request.user)[:2])
    return only[0] if len(only) == 1 else None


def page_url(name: str, call, organisation, **kwargs) -> str:
    """The URL of an applicant page of a call, for the organisation the user acts for."""
    return f"{reverse(f'intake:{name}', kwargs={'slug': call.slug, **kwargs})}?organisation={organisation.pk}"


def _resolved(view, target: str, resolve_more=None):
    """A view wrapper that resolves (call, organisation) for the signed-in user; without a
    chosen organisation, a GET shows the choice and anything else is a 404.
    ``resolve_more(request, call, organisation)`` returns more keyword arguments for the
    view, or a response that answers instead."""

    @functools.wraps(view)
    @login_required
    def wrapper(request, slug, *args, **kwargs):
        call = call_selectors.call_get(slug=slug)
        organisation = chosen_organisation(request)
        if organisation is None:
            if request.method != "GET":
                raise Http404
            organisations = organisation_selectors.organisations_for_user(request.user)
            return render(
                request, "intake/choose_organisation.html", {"call": call, "organisations": organisations, "target": target}
            )
        more = resolve_more(request, call, organisation) if resolve_more else {}
        if not isinstance(more, dict):
            return more
        return view(request, *args, call=call, organisation=organisation, **more, **kwargs)

    return wrapper


def with_organisation(view):
    """Resolve (call, organisation) of a pre-registration page."""
    return _resolved(view, "preregistration")


def _dossier_of(request, call, organisation):
    preregistration = preregistration_selectors.preregistration_of(call=call, organisation=organisation)
    if not preregistration_selectors.unlocks_dossier(preregistration):
        return render(
            request,
            "intake/dossier_locked.html",
            {"call": call, "organisation": organisation, "message": DossierLocked().message},
            status=403,
        )
    dossier = dossier_selectors.dossier_of(call=call, organisation=organisation, preregistration=preregistration)
    if dossier.pk is None and request.method == "POST":
        try:
            dossier = dossier_for(call=call, organisation=organisation, actor=request.user, arrived_at=request.arrived_at)
        except DomainError as exc:  # too late to start a dossier: nothing was created
            report(request, exc)
            return redirect(page_url("dossier", call, organisation))
    return {"dossier": dossier}


def with_dossier(view):
    """Resolve (call, organisation, dossier). Reading a page never creates a dossier row:
    until the first change the dossier is an unsaved one; a POST creates it first."""
    return _resolved(view, "dossier", _dossier_of)
