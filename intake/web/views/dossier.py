"""The full dossier: its overview, the text and row sections, submit, withdraw, reopen and
the submitted versions. Mandates, budget and attachments have pages of their own."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from intake import deadlines, workflow
from intake.kernel.enums import DossierSection, Phase
from intake.kernel.errors import DomainError, DossierIncomplete
from intake.kernel.formatting import format_brussels
from intake.rules.completeness import content_gaps, gaps_by_section
from intake.rules.snapshots import dossier_content, has_unsubmitted_changes, snapshot_of
from intake.selectors import dossiers as selectors
from intake.services import dossiers as services
from intake.services import submissions
from intake.web.decorators import page_url, with_dossier
from intake.web.errors import rebind, report, run, save
from intake.web.files import download_response
from intake.web.forms.dossier import ActivityFormSet, DeclarationsForm, GovernanceForm, KpiFormSet, NetworkForm, VersionForm

FORM_SECTIONS = {
    DossierSection.NETWORK: NetworkForm,
    DossierSection.GOVERNANCE: GovernanceForm,
    DossierSection.DECLARATIONS: DeclarationsForm,
}
# Sections with a page of their own (a URL name), not the generic section page.
OWN_PAGES = (DossierSection.MANDATES, DossierSection.BUDGET, DossierSection.ATTACHMENTS)


def dossier_context(call, organisation, dossier, *, section=None, **extra) -> dict:
    """What every dossier page shows: deadline, state, the actions it may offer,
    completeness per section (and the section the page is about, if any)."""
    now = deadlines.clock()
    content = dossier_content(dossier)  # read once: the gaps and the overview's change check use it
    gaps = content_gaps(call, content)
    by_section = gaps_by_section(gaps)
    sections = [
        {"key": key, "label": label, "gaps": by_section[key], "url": page_url("dossier_section", call, organisation, section=key)}
        for key, label in DossierSection.choices
    ]
    actions = workflow.dossier_actions(dossier, now=now)
    return {
        "call": call,
        "organisation": organisation,
        "dossier": dossier,
        "phase": deadlines.phase_summary(call, Phase.DOSSIER, organisation, now=now),
        "actions": actions,
        "editable": workflow.EDIT in actions,
        "sections": sections,
        "content": content,
        "gaps": gaps,
        "section_gaps": by_section[section] if section else [],
        "complete_count": sum(1 for s in sections if not s["gaps"]),
        "submissions": selectors.dossier_submissions(dossier),
        "decision": selectors.decision_of(dossier),
        "section": section,
        "section_label": DossierSection(section).label if section else "",
        **extra,
    }


def render_section(request, template, call, organisation, dossier, section, *, status=200, **extra):
    return render(request, template, dossier_context(call, organisation, dossier, section=section, **extra), status=status)


@with_dossier
def dossier_overview(request, *, call, organisation, dossier):
    context = dossier_context(call, organisation, dossier)
    # Back from a refused submit: the gaps open the page as an alert, each a link.
    context["refused"] = bool(request.GET.get("refused")) and bool(context["gaps"])
    # Edits after a submission are not assessed until they are submitted as a new version.
    context["unsubmitted_changes"] = has_unsubmitted_changes(context["content"], context["submissions"].first())
    return render(request, "intake/dossier_overview.html", context)


@require_http_methods(["GET", "POST"])
@with_dossier
def dossier_section(request, section, *, call, organisation, dossier):
    if section in FORM_SECTIONS:
        return _form_section(request, section, call, organisation, dossier)
    if section == DossierSection.OBJECTIVES:
        return _kpi_section(request, call, organisation, dossier)
    if section == DossierSection.ACTION_PLAN:
        return _activity_section(request, call, organisation, dossier)
    if section in OWN_PAGES:
        return redirect(page_url(f"dossier_{section}", call, organisation))
    raise Http404


def _form_section(request, section, call, organisation, dossier):
    form_class = FORM_SECTIONS[section]
    status = 200
    if request.method != "POST":
        form = form_class(instance=dossier, initial={"version": dossier.section_version(section)})
    else:
        form = form_class(request.POST, instance=dossier)
        if not form.is_valid():
            status = 400  # the error summary says nothing was saved
        else:
            saved = save(
                request,
                services.dossier_save_section,
                form=form,
                dossier_id=dossier.pk,
                section=section,
                data=form.cleaned_data,
                expected_version=form.cleaned_data["version"],
                actor=request.user,
                arrived_at=request.arrived_at,
            )
            if saved.ok:
                return redirect(page_url("dossier_section", call, organisation, section=section))
            dossier.refresh_from_db()
            status = saved.status
            if saved.conflict:
                form = rebind(form_class, request.POST, version=dossier.section_version(section), instance=dossier)
    return render_section(request, "intake/dossier_section.html", call, organisation, dossier, section, status=status, form=form)


def post_rows(request, *, dossier, section, formset, version_form, store):
    """The POST of a section edited as rows (KPIs, activities, budget): ``store(rows=...,
    expected_version=...)`` saves them; a refusal joins the formset's error summary.
    Returns (saved, version form to show, status)."""
    if not (formset.is_valid() and version_form.is_valid()):
        return False, version_form, 400  # the error summary says nothing was saved
    saved = save(request, store, form=formset, expected_version=version_form.cleaned_data["version"])
    if saved.conflict:
        dossier.refresh_from_db()
        version_form = rebind(VersionForm, request.POST, version=dossier.section_version(section))
    return saved.ok, version_form, saved.status


def _formset_section(request, call, organisation, dossier, section, formset_class, initial, store):
    version_form = VersionForm(request.POST or None, initial={"version": dossier.section_version(section)})
    formset = formset_class(request.POST or None, initial=initial, form_kwargs={"years": call.max_duration_years}, prefix="rows")
    status = 200
    if request.method == "POST":
        # Empty extra rows have no cleaned_data; rows ticked "delete" are left out.
        rows = [f for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")] if formset.is_valid() else []
        saved, version_form, status = post_rows(
            request,
            dossier=dossier,
            section=section,
            formset=formset,
            version_form=version_form,
            store=lambda expected_version: store(rows=rows, expected_version=expected_version),
        )
        if saved:
            return redirect(page_url("dossier_section", call, organisation, section=section))
    return render_section(
        request,
        "intake/dossier_section.html",
        call,
        organisation,
        dossier,
        section,
        status=status,
        formset=formset,
        version_form=version_form,
    )


def _kpi_section(request, call, organisation, dossier):
    initial = [
        {"name": k.name, "unit": k.unit, **{f"year_{y}": v for y, v in k.targets.items()}} for k in selectors.kpis_of(dossier)
    ]

    def store(*, rows, expected_version):
        services.kpis_save(
            dossier_id=dossier.pk,
            kpis=[{"name": f.cleaned_data["name"], "unit": f.cleaned_data["unit"], "targets": f.targets()} for f in rows],
            expected_version=expected_version,
            actor=request.user,
            arrived_at=request.arrived_at,
        )

    return _formset_section(request, call, organisation, dossier, DossierSection.OBJECTIVES, KpiFormSet, initial, store)


def _activity_section(request, call, organisation, dossier):
    initial = [{"year": a.year, "title": a.title, "description": a.description} for a in selectors.activities_of(dossier)]

    def store(*, rows, expected_version):
        services.activities_save(
            dossier_id=dossier.pk,
            activities=[{f: row.cleaned_data[f] for f in ("year", "title", "description")} for row in rows],
            expected_version=expected_version,
            actor=request.user,
            arrived_at=request.arrived_at,
        )

    return _formset_section(request, call, organisation, dossier, DossierSection.ACTION_PLAN, ActivityFormSet, initial, store)


@require_POST
@with_dossier
def dossier_submit(request, *, call, organisation, dossier):
    try:
        submission = submissions.dossier_submit(dossier_id=dossier.pk, actor=request.user, arrived_at=request.arrived_at)
    except DossierIncomplete as exc:
        # No page is left on the POST: the overview opens with what still stands in the way.
        report(request, exc)
        return redirect(page_url("dossier", call, organisation) + "&refused=1")
    except DomainError as exc:
        report(request, exc)
    else:
        messages.success(
            request,
            _("Submitted as version %(version)d. Registered on %(when)s, reference %(ref)s. A confirmation follows by e-mail.")
            % {"version": submission.version, "when": format_brussels(submission.submitted_at), "ref": submission.reference},
        )
    return redirect(page_url("dossier", call, organisation))


@require_POST
@with_dossier
def dossier_withdraw(request, *, call, organisation, dossier):
    done = _("The dossier has been withdrawn.")
    run(
        request, services.dossier_withdraw, dossier_id=dossier.pk, actor=request.user, arrived_at=request.arrived_at, success=done
    )
    return redirect(page_url("dossier", call, organisation))


@require_POST
@with_dossier
def dossier_reopen(request, *, call, organisation, dossier):
    done = _("The dossier is a draft again.")
    run(request, services.dossier_reopen, dossier_id=dossier.pk, actor=request.user, arrived_at=request.arrived_at, success=done)
    return redirect(page_url("dossier", call, organisation))


@with_dossier
def dossier_version(request, version, *, call, organisation, dossier):
    """An earlier (or the current) submitted version, readable as submitted."""
    submission = selectors.submission_version(dossier, version)
    if submission is None:
        raise Http404
    if request.GET.get("format") == "json":
        return download_response(
            submission.snapshot, filename=f"{submission.reference}.json", content_type="application/json; charset=utf-8"
        )
    context = dossier_context(call, organisation, dossier, submission=submission, snapshot=snapshot_of(submission))
    return render(request, "intake/dossier_version.html", context)
