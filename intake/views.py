"""Thin views: parse the request, call one selector or service, render or redirect.
Domain errors become messages; objects outside the user's scope are 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from intake import deadlines, selectors, services
from intake.enums import Phase, PreRegistrationState
from intake.errors import AlreadySubmitted, DomainError, EditConflict, OrganisationExists
from intake.forms import InvitationForm, OrganisationForm, PreRegistrationForm
from intake.models import PreRegistration

# --- Public pages ---------------------------------------------------------------------------


def home(request):
    now = deadlines.clock()
    return render(
        request,
        "intake/home.html",
        {"calls": selectors.calls_for_home(now=now), "closed_calls": selectors.calls_closed(now=now)[:5]},
    )


def call_detail(request, slug):
    call = selectors.call_get(slug=slug)
    rows = []
    for organisation in selectors.organisations_for_user(request.user):
        preregistration = selectors.preregistration_of(call=call, organisation=organisation)
        rows.append(
            {
                "organisation": organisation,
                "preregistration": preregistration,
                "phases": deadlines.call_summaries(call, organisation),
                "dossier_unlocked": selectors.dossier_unlocked(call=call, organisation=organisation),
            }
        )
    follow = request.user.is_authenticated and call.follows.filter(user=request.user, active=True).exists()
    return render(
        request,
        "intake/call_detail.html",
        {
            "call": call,
            "following": follow,
            "phases": deadlines.call_summaries(call),
            "criteria": call.criteria.all(),
            "my_organisations": rows,
        },
    )


# --- Organisations --------------------------------------------------------------------------


@login_required
def organisation_list(request):
    return render(request, "intake/organisation_list.html", {"organisations": selectors.organisations_for_user(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request):
    form = OrganisationForm(request.POST or None)
    existing = None
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_create(user=request.user, data=form.cleaned_data)
        except OrganisationExists as exc:
            existing = exc.organisation
            form.add_error("enterprise_number", exc.message)
        else:
            messages.success(request, _("Organisation %(name)s created. You are its owner.") % {"name": organisation.name})
            return redirect(organisation)
    return render(request, "intake/organisation_form.html", {"form": form, "existing": existing})


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request, pk):
    organisation = selectors.organisation_for_user(user=request.user, pk=pk)
    if not selectors.is_owner(user=request.user, organisation=organisation):
        raise Http404
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "enterprise_number"}
        services.organisation_update(organisation=organisation, data=data, actor=request.user)
        messages.success(request, _("Saved."))
        return redirect(organisation)
    return render(request, "intake/organisation_form.html", {"form": form, "organisation": organisation})


@login_required
def organisation_detail(request, pk):
    organisation = selectors.organisation_for_user(user=request.user, pk=pk)
    return render(request, "intake/organisation_detail.html", _organisation_context(request, organisation, InvitationForm()))


def _organisation_context(request, organisation, invitation_form):
    return {
        "organisation": organisation,
        "memberships": selectors.memberships_of(organisation),
        "invitations": selectors.invitations_open(organisation),
        "is_owner": selectors.is_owner(user=request.user, organisation=organisation),
        "invitation_form": invitation_form,
        "preregistrations": selectors.preregistrations_for_user(request.user).filter(organisation=organisation),
    }


@login_required
@require_POST
def invitation_create(request, pk):
    organisation = selectors.organisation_for_user(user=request.user, pk=pk)
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            services.invitation_create(
                organisation=organisation,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
            )
        except DomainError as exc:
            form.add_error("email", exc.message)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]})
            return redirect(organisation)
    return render(request, "intake/organisation_detail.html", _organisation_context(request, organisation, form), status=400)


@login_required
@require_POST
def invitation_revoke(request, pk, invitation_pk):
    organisation = selectors.organisation_for_user(user=request.user, pk=pk)
    invitation = selectors.invitation_for_owner(user=request.user, organisation=organisation, pk=invitation_pk)
    _run(request, services.invitation_revoke, invitation=invitation, actor=request.user, success=_("Invitation withdrawn."))
    return redirect(organisation)


@login_required
@require_POST
def membership_remove(request, pk, membership_pk):
    organisation = selectors.organisation_for_user(user=request.user, pk=pk)
    membership = selectors.membership_for_owner(user=request.user, organisation=organisation, pk=membership_pk)
    _run(request, services.membership_remove, membership=membership, actor=request.user, success=_("Member removed."))
    if membership.user_id == request.user.id and not selectors.organisations_for_user(request.user).filter(pk=pk).exists():
        return redirect("intake:organisation_list")
    return redirect(organisation)


@login_required
@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    invitation = selectors.invitation_by_token(token=token)
    if request.method == "POST":
        try:
            membership = services.invitation_accept(token=token, user=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("You are now a member of %(org)s.") % {"org": membership.organisation.name})
            return redirect(membership.organisation)
    return render(request, "intake/invitation_accept.html", {"invitation": invitation})


def _run(request, service, *, success, **kwargs):
    """Call a service; report its domain error or its success as a message."""
    try:
        result = service(**kwargs)
    except DomainError as exc:
        messages.error(request, exc.message)
        return None
    messages.success(request, success)
    return result


# --- Pre-registration -----------------------------------------------------------------------


def _chosen_organisation(request):
    """The organisation the user acts for: ?organisation=<id> (or the POSTed field), or
    their only organisation. Returns None when the user must choose or create one."""
    organisations = selectors.organisations_for_user(request.user)
    raw = request.POST.get("organisation") or request.GET.get("organisation")
    if raw:
        try:
            return selectors.organisation_for_user(user=request.user, pk=int(raw))
        except ValueError:
            raise Http404 from None
    only = list(organisations[:2])
    return only[0] if len(only) == 1 else None


def _preregistration_url(call, organisation):
    return f"{reverse('intake:preregistration', kwargs={'slug': call.slug})}?organisation={organisation.pk}"


@login_required
@require_http_methods(["GET", "POST"])
def preregistration(request, slug):
    call = selectors.call_get(slug=slug)
    organisation = _chosen_organisation(request)
    if organisation is None:
        return render(
            request,
            "intake/choose_organisation.html",
            {"call": call, "organisations": selectors.organisations_for_user(request.user)},
        )
    preregistration = selectors.preregistration_of(call=call, organisation=organisation)
    instance = preregistration or PreRegistration(call=call, organisation=organisation, version=0)
    conflict = None
    if request.method == "POST":
        form = PreRegistrationForm(request.POST, instance=instance, call=call)
        if form.is_valid():
            try:
                services.preregistration_save_draft(
                    call=call,
                    organisation=organisation,
                    data=form.cleaned_data,
                    expected_version=form.cleaned_data["version"],
                    actor=request.user,
                )
            except EditConflict as exc:
                conflict = exc
                messages.error(request, exc.message)
                # The user's text stays in the form; the hidden version now points at what
                # is stored, so saving again after comparing is a deliberate choice.
                preregistration = selectors.preregistration_of(call=call, organisation=organisation)
                data = request.POST.copy()
                data["version"] = str(preregistration.version if preregistration else 0)
                form = PreRegistrationForm(data, instance=preregistration or instance, call=call)
                form.is_valid()
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                if request.POST.get("and_submit"):
                    # "Save and submit": what the user sees in the form is what is submitted.
                    saved = selectors.preregistration_of(call=call, organisation=organisation)
                    return _submit_saved(request, call, organisation, saved)
                messages.success(request, _("Draft saved."))
                return redirect(_preregistration_url(call, organisation))
        else:
            messages.error(request, _("The draft was not saved: correct the fields marked below."))
        status = 409 if conflict else 400
    else:
        form = PreRegistrationForm(instance=instance, call=call, initial={"version": instance.version})
        status = 200
    return render(
        request,
        "intake/preregistration.html",
        _preregistration_context(call, organisation, preregistration, form, conflict),
        status=status,
    )


def _preregistration_context(call, organisation, preregistration, form, conflict=None):
    phase = deadlines.phase_summary(call, Phase.PREREGISTRATION, organisation)
    # Not editable: the template disables the fieldset. The fields themselves stay enabled
    # so that a refused (late) save still shows what the user typed, not the stored draft.
    editable = phase.is_open and (preregistration is None or preregistration.state == PreRegistrationState.DRAFT)
    return {
        "call": call,
        "organisation": organisation,
        "preregistration": preregistration,
        "form": form,
        "phase": phase,
        "editable": editable,
        "conflict": conflict,
        "missing": services.preregistration_missing(preregistration) if preregistration else [],
        "submissions": selectors.preregistration_submissions(preregistration),
        "dossier_unlocked": selectors.dossier_unlocked(call=call, organisation=organisation),
    }


def _preregistration_action(request, slug, service, success):
    call = selectors.call_get(slug=slug)
    organisation = _chosen_organisation(request)
    if organisation is None:
        raise Http404
    preregistration = selectors.preregistration_of(call=call, organisation=organisation)
    if preregistration is None:
        messages.error(request, _("Save a draft first."))
        return redirect(_preregistration_url(call, organisation))
    try:
        result = service(preregistration_id=preregistration.pk, actor=request.user)
    except AlreadySubmitted as exc:
        messages.info(request, exc.message)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success(result))
    return redirect(_preregistration_url(call, organisation))


def _submitted_message(submission) -> str:
    from intake.formatting import format_instant

    return _("Submitted. Registered on %(when)s, reference %(ref)s. A confirmation follows by e-mail.") % {
        "when": format_instant(submission.submitted_at),
        "ref": submission.reference,
    }


def _submit_saved(request, call, organisation, preregistration):
    try:
        submission = services.preregistration_submit(preregistration_id=preregistration.pk, actor=request.user)
    except AlreadySubmitted as exc:
        messages.info(request, exc.message)
    except DomainError as exc:
        messages.error(request, _("Your draft was saved, but not submitted: %(reason)s") % {"reason": exc.message})
    else:
        messages.success(request, _submitted_message(submission))
    return redirect(_preregistration_url(call, organisation))


@login_required
@require_POST
def preregistration_submit(request, slug):
    return _preregistration_action(request, slug, services.preregistration_submit, _submitted_message)


@login_required
@require_POST
def preregistration_withdraw(request, slug):
    return _preregistration_action(
        request, slug, services.preregistration_withdraw, lambda _pr: _("The pre-registration has been withdrawn.")
    )


@login_required
@require_POST
def preregistration_reopen(request, slug):
    return _preregistration_action(
        request, slug, services.preregistration_reopen, lambda _pr: _("The pre-registration is a draft again.")
    )


# --- Following a call -------------------------------------------------------------------------


@login_required
@require_POST
def call_follow(request, slug):
    call = selectors.call_get(slug=slug)
    following = services.call_follow_set(call=call, user=request.user, active=request.POST.get("follow") == "1")
    if following:
        messages.success(request, _("You will get the reminders of this call until your organisation pre-registers."))
    else:
        messages.success(request, _("You no longer follow this call."))
    return redirect(call)


@require_http_methods(["GET", "POST"])
def call_unfollow(request, token):
    """The link in a reminder: works without signing in, and only for the person it was sent to."""
    from intake.signing import unfollow_read

    found = unfollow_read(token)
    if found is None:
        raise Http404
    user_id, call_id = found
    call = selectors.calls_published().filter(pk=call_id).first()
    if call is None:
        raise Http404
    done = False
    if request.method == "POST":
        services.call_unfollow_by_token(call=call, user_id=user_id)
        done = True
    return render(request, "intake/call_unfollow.html", {"call": call, "done": done})


def set_language(request):
    """Django's language switch, remembering the choice for e-mails sent later."""
    from django.views.i18n import set_language as django_set_language

    response = django_set_language(request)
    if request.method == "POST" and request.user.is_authenticated:
        services.user_language_set(user=request.user, language=request.POST.get("language", ""))
    return response
