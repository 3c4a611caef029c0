"""Pages anyone can open: the calls, a call's page, the language switch, following a call."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language as django_set_language

from intake import deadlines, workflow
from intake.kernel.signing import unfollow_read
from intake.selectors import calls as call_selectors
from intake.selectors import organisations as organisation_selectors
from intake.selectors import preregistrations as preregistration_selectors
from intake.services import following
from intake.web.public_cache import public_page


@public_page
def home(request):
    now = deadlines.clock()
    return render(
        request,
        "intake/home.html",
        {"calls": call_selectors.calls_for_home(now=now), "closed_calls": call_selectors.calls_closed(now=now)[:5]},
    )


@public_page
def call_detail(request, slug):
    call = call_selectors.call_get(slug=slug)
    now = deadlines.clock()
    rows = []
    for organisation in organisation_selectors.organisations_for_user(request.user):
        preregistration = preregistration_selectors.preregistration_of(call=call, organisation=organisation)
        rows.append(
            {
                "organisation": organisation,
                "preregistration": preregistration,
                "phases": deadlines.call_summaries(call, organisation, now=now),
                "actions": workflow.preregistration_actions(preregistration, call=call, organisation=organisation, now=now),
                "dossier_unlocked": preregistration_selectors.unlocks_dossier(preregistration),
            }
        )
    return render(
        request,
        "intake/call_detail.html",
        {
            "call": call,
            "following": call_selectors.is_following(user=request.user, call=call),
            "phases": deadlines.call_summaries(call, now=now),
            "criteria": call.criteria.all(),
            "my_organisations": rows,
        },
    )


@login_required
@require_POST
def call_follow(request, slug):
    call = call_selectors.call_get(slug=slug)
    if following.call_follow_set(call=call, user=request.user, active=request.POST.get("follow") == "1"):
        messages.success(request, _("You will get the reminders of this call until your organisation pre-registers."))
    else:
        messages.success(request, _("You no longer follow this call."))
    return redirect(call)


@require_http_methods(["GET", "POST"])
def call_unfollow(request, token):
    """The link in a reminder: works without signing in, and only for the person it was sent to."""
    found = unfollow_read(token)
    if found is None:
        raise Http404
    user_id, call_id = found
    call = call_selectors.call_published_by_pk(call_id)
    if call is None:
        raise Http404
    done = False
    if request.method == "POST":
        following.call_unfollow_by_token(call=call, user_id=user_id)
        done = True
    return render(request, "intake/call_unfollow.html", {"call": call, "done": done})


def set_language(request):
    """Django's language switch, remembering the choice for e-mails sent later."""
    response = django_set_language(request)
    if request.method == "POST" and request.user.is_authenticated:
        following.user_language_set(user=request.user, language=request.POST.get("language", ""))
    return response
