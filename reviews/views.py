"""The reviewer dashboard. Every view starts from reviews.selectors, scoped to the user;
applicants get 403, other calls' dossiers 404, a conflicted reviewer no content."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clusterportal.second_factor import has_totp_authenticator, signed_in_with_second_factor
from intake import workflow
from intake.audit import action_sentence
from intake.kernel.enums import DossierSection
from intake.kernel.errors import DomainError
from intake.rules.budget import budget_rule_results, budget_totals, years_from_content
from intake.rules.mandates import mandate_checks, mandate_count_of_content
from intake.rules.snapshots import section_answers, snapshot_of
from intake.selectors.organisations import is_call_manager
from intake.web.errors import run
from intake.web.files import attachment_response, download_response, receipt_response
from reviews import selectors, services
from reviews.access import agency_required, manager_required
from reviews.admissibility import checklist
from reviews.exports import csv_bytes, related_or_none, xlsx_bytes
from reviews.forms import AdmissibilityForm, ApplicationFilterForm, AssignmentForm, ConflictForm, DecisionForm
from reviews.scoring import aggregate


def second_factor(request):
    """Why the dashboard asks for two-step verification, and where to set it up (or, with
    an authenticator set up in another session, that this session must sign in with it)."""
    has_authenticator = request.user.is_authenticated and has_totp_authenticator(request.user)
    return render(
        request,
        "reviews/second_factor.html",
        {"has_authenticator": has_authenticator},
        status=403 if request.user.is_authenticated else 200,
    )


@agency_required
def dashboard(request):
    calls = []
    for call in selectors.calls_for(request.user).order_by("-dossier_deadline"):
        calls.append(
            {
                "call": call,
                "counts": selectors.call_counts(call),
                "per_day": selectors.submissions_per_day(call),
                "late": selectors.late_attempts(call),
                "todo": selectors.todo_for(request.user, call),
            }
        )
    return render(request, "reviews/dashboard.html", {"calls": calls})


def _filtered(request, call):
    form = ApplicationFilterForm(request.GET or None, call=call)
    filters = form.cleaned_data if form.is_valid() else None
    return form, selectors.applications_filtered(request.user, call, filters)


@agency_required
def call_applications(request, slug):
    call = selectors.call_for(request.user, slug)
    form, rows = _filtered(request, call)
    export = request.GET.get("export")
    if export == "csv":
        return download_response(
            csv_bytes(rows), filename=f"{call.reference_prefix}-aanvragen.csv", content_type="text/csv; charset=utf-8"
        )
    if export == "xlsx":
        return download_response(
            xlsx_bytes(rows, title=call.reference_prefix),
            filename=f"{call.reference_prefix}-aanvragen.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    page = Paginator(rows, settings.REVIEWS_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reviews/call_applications.html",
        {
            "call": call,
            "form": form,
            "page": page,
            "rows": [(a, related_or_none(a, "dossier")) for a in page.object_list],
            "query": query.urlencode(),
            "is_manager": is_call_manager(request.user),
        },
    )


def _dossier_page(request, slug, reference):
    call = selectors.call_for(request.user, slug)
    dossier, submission = selectors.dossier_for(request.user, call, reference)
    return call, dossier, submission


@agency_required
def dossier_detail(request, slug, reference):
    call, dossier, submission = _dossier_page(request, slug, reference)
    manager = is_call_manager(request.user)
    declaration = selectors.declaration_of(request.user, dossier)
    if not manager and declaration is None:
        return render(
            request, "reviews/declare.html", {"call": call, "dossier": dossier, "form": ConflictForm(), "reference": reference}
        )
    if declaration is not None and declaration.has_conflict:
        return render(request, "reviews/conflicted.html", {"call": call, "dossier": dossier}, status=403)
    return render(request, "reviews/dossier.html", _dossier_context(request, call, dossier, submission, reference, manager))


def _dossier_context(request, call, dossier, submission, reference, manager):
    """Everything shown comes from the version under review (its immutable snapshot), not
    from the live dossier, which the applicant may have edited without submitting again."""
    snapshot = snapshot_of(submission)
    content = snapshot["content"]
    sheet = selectors.own_sheet(request.user, dossier)
    own_scores = {s.criterion_id: s for s in sheet.scores.all()} if sheet else {}
    sees_others = manager or (sheet is not None and sheet.submitted_at is not None)
    versions = selectors.versions_of(dossier)
    budget_years = years_from_content(content)
    numbers = [m["enterprise_number"] for m in content["mandates"]]
    registry = snapshot.get("registry")  # the KBO facts of the day it was submitted
    mandates = [
        (m, mandate_checks(m["enterprise_number"], m["postal_code"], registry), numbers.count(m["enterprise_number"]) > 1)
        for m in content["mandates"]
    ]
    budget_rules = budget_rule_results(call, budget_years)
    return {
        "call": call,
        "dossier": dossier,
        "submission": submission,
        "reference": reference,
        "snapshot": snapshot,
        "content": content,
        # The applicant's words: the form's labels in the form's order.
        "network": section_answers(content, DossierSection.NETWORK),
        "governance": section_answers(content, DossierSection.GOVERNANCE),
        "mandates": mandates,
        "mandate_count": mandate_count_of_content(call, content, snapshot.get("registry")),
        "budget_totals": budget_totals(budget_years),
        "budget_rules": budget_rules,
        "budget_rules_failed": [r for r in budget_rules if not r.ok],
        "budget_rules_passed": [r for r in budget_rules if r.ok],
        "attachments": selectors.submitted_attachments(dossier, submission),
        "versions": versions,
        "compare": _compare(request, versions),
        "checklist": checklist(dossier, submission),
        "admissibility": related_or_none(dossier, "admissibility"),
        "decision": related_or_none(dossier, "decision"),
        "criteria": [(c, own_scores.get(c.pk)) for c in call.criteria.all()],
        "own_sheet": sheet,
        "aggregate": aggregate(dossier) if sees_others else None,
        "sheets": selectors.submitted_sheets(dossier) if sees_others else [],
        "is_manager": manager,
        "actions": workflow.review_actions(dossier),
        "admissibility_form": AdmissibilityForm(),
        "decision_form": DecisionForm(),
        "audit": [(event, action_sentence(event)) for event in selectors.audit_of(dossier)],
    }


def _compare(request, versions):
    """What changed between two versions (?compare=1,2): section by section."""
    raw = request.GET.get("compare", "")
    try:
        a, b = sorted(int(x) for x in raw.split(","))
    except ValueError:
        return None
    by_version = {v.version: v for v in versions}
    if a not in by_version or b not in by_version:
        return None
    old = snapshot_of(by_version[a])["content"]
    new = snapshot_of(by_version[b])["content"]
    changes = [
        {"section": key, "before": old.get(key), "after": new.get(key)}
        for key in sorted(set(old) | set(new))
        if old.get(key) != new.get(key)
    ]
    return {"a": a, "b": b, "changes": changes}


def _back(slug, reference):
    return redirect(reverse("reviews:dossier", kwargs={"slug": slug, "reference": reference}))


def _act(request, form, service, *, success: str, invalid: str, **kwargs):
    """A dossier action: a valid form calls one service with the form's data; domain
    errors and invalid input become messages. The page is shown again either way."""
    if not form.is_valid():
        messages.error(request, invalid)
        return
    run(request, service, success=success, **kwargs, **form.cleaned_data)


@require_POST
@agency_required
def declare(request, slug, reference):
    _call, dossier, _submission = _dossier_page(request, slug, reference)
    _act(
        request,
        ConflictForm(request.POST),
        services.conflict_declare,
        dossier=dossier,
        reviewer=request.user,
        success=_("Declaration recorded."),
        invalid=_("Choose one of the two answers."),
    )
    return _back(slug, reference)


@require_POST
@agency_required
def admissibility(request, slug, reference):
    _call, dossier, submission = _dossier_page(request, slug, reference)
    _act(
        request,
        AdmissibilityForm(request.POST),
        services.admissibility_decide,
        dossier_id=dossier.pk,
        actor=request.user,
        submission=submission,
        success=_("Admissibility recorded."),
        invalid=_("Choose a decision and write a motivation."),
    )
    return _back(slug, reference)


@require_POST
@agency_required
def scores(request, slug, reference):
    call, dossier, _submission = _dossier_page(request, slug, reference)
    values = {
        criterion.pk: (
            request.POST.get(f"score_{criterion.pk}", "").replace(",", "."),
            request.POST.get(f"comment_{criterion.pk}", ""),
        )
        for criterion in call.criteria.all()
    }
    submit = "submit" in request.POST
    done = _("Scores submitted.") if submit else _("Scores saved.")
    run(request, services.scores_save, dossier_id=dossier.pk, reviewer=request.user, scores=values, submit=submit, success=done)
    return _back(slug, reference)


@require_POST
@manager_required
def decide(request, slug, reference):
    _call, dossier, _submission = _dossier_page(request, slug, reference)
    _act(
        request,
        DecisionForm(request.POST),
        services.decision_record,
        dossier_id=dossier.pk,
        actor=request.user,
        success=_("Decision recorded; the applicant is told by e-mail."),
        invalid=_("Choose a decision and write a motivation."),
    )
    return _back(slug, reference)


@agency_required
def attachment(request, slug, reference, pk):
    _call, dossier, submission = _dossier_page(request, slug, reference)
    declaration = selectors.declaration_of(request.user, dossier)
    # The dossier page's rule: a reviewer declares first; nobody reads past a conflict,
    # a call manager included.
    undeclared = declaration is None and not is_call_manager(request.user)
    if undeclared or (declaration is not None and declaration.has_conflict):
        raise Http404
    item = selectors.submitted_attachments(dossier, submission).filter(pk=pk).first()
    if item is None:
        raise Http404
    services.attachment_downloaded(attachment=item, dossier=dossier, actor=request.user)
    return attachment_response(item)


@manager_required
def assignments(request, slug):
    call = selectors.call_for(request.user, slug)
    form = AssignmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        dossier = None
        reference = form.cleaned_data["dossier_reference"].strip()
        if reference:
            dossier = selectors.dossier_by_reference(call, reference)
            if dossier is None:
                form.add_error("dossier_reference", _("No dossier of this call has that reference."))
        if not form.errors:
            try:
                services.assignment_create(
                    call=call, reviewer=form.cleaned_data["reviewer"], dossier=dossier, assigned_by=request.user
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Reviewer assigned."))
                return redirect("reviews:assignments", slug=slug)
    return render(
        request,
        "reviews/assignments.html",
        {
            "call": call,
            "form": form,
            "assignments": selectors.assignments_of(call),
        },
    )


@login_required
def receipt_download(request, reference):
    """/receipts/<reference>/: the receipt PDF, for the organisation's members and, signed
    in with a second factor, for the staff whose scope includes it; audited."""
    receipt = selectors.receipt_for(request.user, reference, second_factor=signed_in_with_second_factor(request))
    services.receipt_downloaded(receipt=receipt, actor=request.user)
    return receipt_response(receipt)
