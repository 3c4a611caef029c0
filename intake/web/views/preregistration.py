"""The pre-registration page: the draft form, save, save-and-submit, submit, withdraw, reopen."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from intake import deadlines, workflow
from intake.kernel.enums import Phase
from intake.kernel.errors import AlreadySubmitted, DomainError, EditConflict
from intake.kernel.formatting import format_brussels
from intake.models import PreRegistration
from intake.rules.completeness import preregistration_missing
from intake.selectors import preregistrations as selectors
from intake.services import preregistrations, submissions
from intake.web.decorators import page_url, with_organisation
from intake.web.errors import attach, rebind, report
from intake.web.forms.preregistration import PreRegistrationForm


@require_http_methods(["GET", "POST"])
@with_organisation
def preregistration(request, *, call, organisation):
    conflict = None
    status = 200
    if request.method != "POST":
        preregistration = selectors.preregistration_of(call=call, organisation=organisation)
        instance = preregistration or PreRegistration(call=call, organisation=organisation, version=0)
        initial = {"version": instance.version}
        if preregistration is None:
            # A first visit starts from the organisation's own contact person.
            initial |= {f: getattr(organisation, f) for f in ("contact_name", "contact_email", "contact_phone")}
        form = PreRegistrationForm(instance=instance, call=call, initial=initial)
        return render(request, "intake/preregistration.html", _context(call, organisation, preregistration, form), status=status)
    # The POST is validated without reading the stored row: the service locks and reads it
    # (the form never writes to its instance), so the rush's POST reads it once. Only a
    # refused POST, which shows the page again, reads it for the page.
    form = PreRegistrationForm(request.POST, instance=PreRegistration(call=call, organisation=organisation), call=call)
    and_submit = bool(request.POST.get("and_submit"))
    if not form.is_valid():
        # The page's error summary says nothing was saved and links to each field.
        preregistration = selectors.preregistration_of(call=call, organisation=organisation)
        context = _context(call, organisation, preregistration, form, and_submit=and_submit)
        return render(request, "intake/preregistration.html", context, status=400)
    change = {
        "call": call,
        "organisation": organisation,
        "data": form.cleaned_data,
        "expected_version": form.cleaned_data["version"],
        "actor": request.user,
        "arrived_at": request.arrived_at,
    }
    try:
        if and_submit:
            # "Save and submit": what the form shows is saved and submitted, or nothing is.
            submission = submissions.preregistration_save_and_submit(**change)
        else:
            preregistrations.preregistration_save_draft(**change)
    except EditConflict as exc:
        conflict, status = exc, 409
        report(request, exc)
        preregistration = selectors.preregistration_of(call=call, organisation=organisation)
        form = rebind(
            PreRegistrationForm,
            request.POST,
            version=preregistration.version if preregistration else 0,
            instance=preregistration or PreRegistration(call=call, organisation=organisation, version=0),
            call=call,
        )
    except AlreadySubmitted as exc:
        report(request, exc)
        return redirect(page_url("preregistration", call, organisation))
    except DomainError as exc:
        # Incomplete, late, not open yet...: told in the error summary, at the fields concerned.
        status = 400
        attach(exc, form)
        preregistration = selectors.preregistration_of(call=call, organisation=organisation)
    else:
        messages.success(request, _submitted_message(submission) if and_submit else _("Draft saved."))
        return redirect(page_url("preregistration", call, organisation))
    context = _context(call, organisation, preregistration, form, conflict, and_submit=and_submit)
    return render(request, "intake/preregistration.html", context, status=status)


def _context(call, organisation, preregistration, form, conflict=None, *, and_submit=False):
    now = deadlines.clock()
    actions = workflow.preregistration_actions(preregistration, call=call, organisation=organisation, now=now)
    return {
        "call": call,
        "organisation": organisation,
        "preregistration": preregistration,
        "form": form,
        "phase": deadlines.phase_summary(call, Phase.PREREGISTRATION, organisation, now=now),
        "actions": actions,
        # Not editable: the template disables the fieldset. The fields themselves stay
        # bound so that a refused (late) save still shows what the user typed.
        "editable": workflow.EDIT in actions,
        "conflict": conflict,
        "and_submit": and_submit,  # a refused "save and submit": nothing was saved or submitted
        "missing": preregistration_missing(preregistration) if preregistration else [],
        "submissions": selectors.preregistration_submissions(preregistration),
        "dossier_unlocked": selectors.unlocks_dossier(preregistration),
    }


def _submitted_message(submission) -> str:
    return _("Submitted. Registered on %(when)s, reference %(ref)s. A confirmation follows by e-mail.") % {
        "when": format_brussels(submission.submitted_at),
        "ref": submission.reference,
    }


def _act(request, call, organisation, service, success):
    preregistration = selectors.preregistration_of(call=call, organisation=organisation)
    if preregistration is None:
        messages.error(request, _("Save a draft first."))
    else:
        try:
            result = service(preregistration_id=preregistration.pk, actor=request.user, arrived_at=request.arrived_at)
        except DomainError as exc:
            report(request, exc)
        else:
            messages.success(request, success(result))
    return redirect(page_url("preregistration", call, organisation))


@require_POST
@with_organisation
def preregistration_submit(request, *, call, organisation):
    return _act(request, call, organisation, submissions.preregistration_submit, _submitted_message)


@require_POST
@with_organisation
def preregistration_withdraw(request, *, call, organisation):
    return _act(
        request,
        call,
        organisation,
        preregistrations.preregistration_withdraw,
        lambda _pr: _("The pre-registration has been withdrawn."),
    )


@require_POST
@with_organisation
def preregistration_reopen(request, *, call, organisation):
    return _act(
        request,
        call,
        organisation,
        preregistrations.preregistration_reopen,
        lambda _pr: _("The pre-registration is a draft again."),
    )
