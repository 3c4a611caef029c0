"""Views of the full dossier. Every view resolves the call, the user's organisation and
the dossier through ``with_dossier``: another organisation's dossier is a 404, a dossier
whose pre-registration is not submitted is refused with a clear message (403)."""

import functools
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from intake import deadlines, dossiers, selectors
from intake.enums import AttachmentKind, DossierSection, Phase
from intake.errors import DomainError, DossierIncomplete, DossierLocked, EditConflict
from intake.forms import ActivityFormSet, DeclarationsForm, GovernanceForm, KpiFormSet, NetworkForm, VersionForm
from intake.views import _chosen_organisation, _run

FORM_SECTIONS = {
    DossierSection.NETWORK: NetworkForm,
    DossierSection.GOVERNANCE: GovernanceForm,
    DossierSection.DECLARATIONS: DeclarationsForm,
}


def dossier_url(call, organisation, name="dossier", **kwargs) -> str:
    return f"{reverse(f'intake:{name}', kwargs={'slug': call.slug, **kwargs})}?organisation={organisation.pk}"


def with_dossier(view):
    """Resolve (call, organisation, dossier) for the signed-in user, or answer 404 / the
    locked page. The wrapped view gets them as keyword arguments."""

    @functools.wraps(view)
    @login_required
    def wrapper(request, slug, *args, **kwargs):
        call = selectors.call_get(slug=slug)
        organisation = _chosen_organisation(request)
        if organisation is None:
            if request.method != "GET":
                raise Http404
            return render(
                request,
                "intake/choose_organisation.html",
                {"call": call, "organisations": selectors.organisations_for_user(request.user), "target": "dossier"},
            )
        try:
            dossier = dossiers.dossier_for(call=call, organisation=organisation)
        except DossierLocked as exc:
            return render(
                request,
                "intake/dossier_locked.html",
                {"call": call, "organisation": organisation, "message": exc.message},
                status=403,
            )
        return view(request, *args, call=call, organisation=organisation, dossier=dossier, **kwargs)

    return wrapper


def dossier_context(call, organisation, dossier, *, section=None, **extra) -> dict:
    """What every dossier page shows: deadline, state, completeness per section (and the
    section the page is about, if any)."""
    gaps = dossiers.dossier_gaps(dossier)
    by_section = dossiers.gaps_by_section(gaps)
    sections = [
        {
            "key": key,
            "label": label,
            "gaps": by_section[key],
            "url": dossier_url(call, organisation, "dossier_section", section=key),
        }
        for key, label in DossierSection.choices
    ]
    return {
        "call": call,
        "organisation": organisation,
        "dossier": dossier,
        "phase": deadlines.phase_summary(call, Phase.DOSSIER, organisation),
        "editable": dossiers.dossier_editable(dossier),
        "sections": sections,
        "gaps": gaps,
        "complete_count": sum(1 for s in sections if not s["gaps"]),
        "submissions": selectors.dossier_submissions(dossier),
        "decision": _decision_of(dossier),
        "section": section,
        "section_label": DossierSection(section).label if section else "",
        **extra,
    }


def _decision_of(dossier):
    from django.core.exceptions import ObjectDoesNotExist

    try:
        return dossier.decision
    except ObjectDoesNotExist:
        return None


@with_dossier
def dossier_overview(request, *, call, organisation, dossier):
    context = dossier_context(call, organisation, dossier)
    latest = context["submissions"].first()
    # Edits after a submission are not assessed until they are submitted as a new version.
    context["unsubmitted_changes"] = latest is not None and (
        json.loads(latest.snapshot).get("content_sha256") != dossiers.dossier_content_sha256(dossier)
    )
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
    if section in (DossierSection.MANDATES, DossierSection.BUDGET, DossierSection.ATTACHMENTS):
        return redirect(dossier_url(call, organisation, f"dossier_{section}"))
    raise Http404


def _save(request, service, **kwargs) -> tuple[bool, EditConflict | None]:
    """Run a save service; report domain errors as messages. Returns (saved, conflict)."""
    try:
        service(**kwargs)
    except EditConflict as exc:
        messages.error(request, exc.message)
        return False, exc
    except DomainError as exc:
        messages.error(request, exc.message)
        return False, None
    messages.success(request, _("Saved."))
    return True, None


def _render_section(request, call, organisation, dossier, section, status, **extra):
    # When the dossier is not editable the template disables the fieldset; the fields stay
    # bound so that a refused save still shows what the user typed.
    context = dossier_context(call, organisation, dossier, section=section, **extra)
    return render(request, "intake/dossier_section.html", context, status=status)


def _form_section(request, section, call, organisation, dossier):
    form_class = FORM_SECTIONS[section]
    status = 200
    if request.method == "POST":
        form = form_class(request.POST, instance=dossier)
        if form.is_valid():
            saved, conflict = _save(
                request,
                dossiers.dossier_save_section,
                dossier_id=dossier.pk,
                section=section,
                data=form.cleaned_data,
                expected_version=form.cleaned_data["version"],
                actor=request.user,
            )
            if saved:
                return redirect(dossier_url(call, organisation, "dossier_section", section=section))
            dossier.refresh_from_db()
            status = 409 if conflict else 400
            if conflict:  # keep the user's text; the next save is a deliberate overwrite
                data = request.POST.copy()
                data["version"] = str(dossier.section_version(section))
                form = form_class(data, instance=dossier)
                form.is_valid()
        else:
            messages.error(request, _("Not saved: correct the fields marked below."))
            status = 400
    else:
        form = form_class(instance=dossier, initial={"version": dossier.section_version(section)})
    return _render_section(request, call, organisation, dossier, section, status, form=form)


def _formset_section(request, call, organisation, dossier, section, formset_class, initial, save):
    years = call.max_duration_years
    status = 200
    version_form = VersionForm(request.POST or None, initial={"version": dossier.section_version(section)})
    formset = formset_class(request.POST or None, initial=initial, form_kwargs={"years": years}, prefix="rows")
    if request.method == "POST":
        if formset.is_valid() and version_form.is_valid():
            # Empty extra rows have no cleaned_data; rows ticked "delete" are left out.
            rows = [f for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
            saved, conflict = _save(request, save, rows=rows, expected_version=version_form.cleaned_data["version"])
            if saved:
                return redirect(dossier_url(call, organisation, "dossier_section", section=section))
            status = 409 if conflict else 400
            if conflict:
                dossier.refresh_from_db()
                data = request.POST.copy()
                data["version"] = str(dossier.section_version(section))
                version_form = VersionForm(data)
                version_form.is_valid()
        else:
            messages.error(request, _("Not saved: correct the fields marked below."))
            status = 400
    return _render_section(
        request,
        call,
        organisation,
        dossier,
        section,
        status,
        formset=formset,
        version_form=version_form,
    )


def _kpi_section(request, call, organisation, dossier):
    initial = [{"name": k.name, "unit": k.unit, **{f"year_{y}": v for y, v in k.targets.items()}} for k in dossier.kpis.all()]

    def save(*, rows, expected_version):
        dossiers.kpis_save(
            dossier_id=dossier.pk,
            kpis=[{"name": f.cleaned_data["name"], "unit": f.cleaned_data["unit"], "targets": f.targets()} for f in rows],
            expected_version=expected_version,
            actor=request.user,
        )

    return _formset_section(request, call, organisation, dossier, DossierSection.OBJECTIVES, KpiFormSet, initial, save)


def _activity_section(request, call, organisation, dossier):
    initial = [{"year": a.year, "title": a.title, "description": a.description} for a in dossier.activities.all()]

    def save(*, rows, expected_version):
        dossiers.activities_save(
            dossier_id=dossier.pk,
            activities=[
                {"year": f.cleaned_data["year"], "title": f.cleaned_data["title"], "description": f.cleaned_data["description"]}
                for f in rows
            ],
            expected_version=expected_version,
            actor=request.user,
        )

    return _formset_section(request, call, organisation, dossier, DossierSection.ACTION_PLAN, ActivityFormSet, initial, save)


@require_POST
@with_dossier
def dossier_submit(request, *, call, organisation, dossier):
    from intake.formatting import format_instant

    try:
        submission = dossiers.dossier_submit(dossier_id=dossier.pk, actor=request.user)
    except DossierIncomplete as exc:
        context = dossier_context(call, organisation, dossier, refused=exc)
        messages.error(request, exc.message)
        return render(request, "intake/dossier_overview.html", context, status=400)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Submitted as version %(version)d. Registered on %(when)s, reference %(ref)s. A confirmation follows by e-mail.")
            % {"version": submission.version, "when": format_instant(submission.submitted_at), "ref": submission.reference},
        )
    return redirect(dossier_url(call, organisation))


@require_POST
@with_dossier
def dossier_withdraw(request, *, call, organisation, dossier):
    _run(
        request,
        dossiers.dossier_withdraw,
        dossier_id=dossier.pk,
        actor=request.user,
        success=_("The dossier has been withdrawn."),
    )
    return redirect(dossier_url(call, organisation))


@require_POST
@with_dossier
def dossier_reopen(request, *, call, organisation, dossier):
    done = _("The dossier is a draft again.")
    _run(request, dossiers.dossier_reopen, dossier_id=dossier.pk, actor=request.user, success=done)
    return redirect(dossier_url(call, organisation))


@with_dossier
def dossier_version(request, version, *, call, organisation, dossier):
    """An earlier (or the current) submitted version, readable as submitted."""
    submission = selectors.dossier_submissions(dossier).filter(version=version).first()
    if submission is None:
        raise Http404
    if request.GET.get("format") == "json":
        response = HttpResponse(submission.snapshot, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{submission.reference}.json"'
        response["X-Content-Type-Options"] = "nosniff"
        return response
    return render(
        request,
        "intake/dossier_version.html",
        dossier_context(call, organisation, dossier, submission=submission, snapshot=json.loads(submission.snapshot)),
    )


# --- Attachments ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@with_dossier
def dossier_attachments(request, *, call, organisation, dossier):
    from intake.attachments import attachment_upload, attachments_total_size
    from intake.forms import AttachmentUploadForm

    form = AttachmentUploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                attachment = attachment_upload(
                    dossier_id=dossier.pk,
                    uploaded_file=form.cleaned_data["file"],
                    kind=form.cleaned_data["kind"],
                    actor=request.user,
                )
            except DomainError as exc:
                form.add_error("file", exc.message)
            else:
                messages.success(request, _("%(name)s uploaded.") % {"name": attachment.original_name})
                return redirect(dossier_url(call, organisation, "dossier_attachments"))
        status = 400
    section = DossierSection.ATTACHMENTS
    context = dossier_context(
        call,
        organisation,
        dossier,
        section=section,
        form=form,
        attachments=dossier.attachments.select_related("uploaded_by"),
        total_size=attachments_total_size(dossier),
        max_total=call.max_dossier_attachments_mb * 1024 * 1024,
    )
    return render(request, "intake/dossier_attachments.html", context, status=status)


@with_dossier
def dossier_attachment_download(request, pk, *, call, organisation, dossier):
    from intake.attachments import attachment_response

    attachment = dossier.attachments.filter(pk=pk).first()
    if attachment is None:
        raise Http404
    return attachment_response(attachment)


@require_POST
@with_dossier
def dossier_attachment_delete(request, pk, *, call, organisation, dossier):
    from intake.attachments import attachment_delete
    from intake.models import Attachment

    try:
        attachment_delete(dossier_id=dossier.pk, attachment_id=pk, actor=request.user)
    except Attachment.DoesNotExist:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Attachment deleted."))
    return redirect(dossier_url(call, organisation, "dossier_attachments"))


# --- Mandating enterprises ------------------------------------------------------------------


def _mandates_page(request, call, organisation, dossier, *, add_form=None, import_form=None, report=None, status=200):
    from intake.forms import MandateForm, MandateImportForm
    from intake.mandates import MANDATE_CSV_COLUMNS, mandate_checks, mandate_count

    mandates = list(dossier.mandates.select_related("letter"))
    section = DossierSection.MANDATES
    context = dossier_context(
        call,
        organisation,
        dossier,
        section=section,
        mandates=[(m, mandate_checks(m)) for m in mandates],
        count=mandate_count(dossier),
        add_form=add_form or MandateForm(),
        import_form=import_form or MandateImportForm(),
        report=report,
        columns=MANDATE_CSV_COLUMNS,
    )
    return render(request, "intake/dossier_mandates.html", context, status=status)


@require_http_methods(["GET", "POST"])
@with_dossier
def dossier_mandates(request, *, call, organisation, dossier):
    from django.core.exceptions import ValidationError

    from intake.forms import MandateForm, MandateImportForm
    from intake.mandates import mandate_add, mandates_import_csv

    if request.method == "GET":
        return _mandates_page(request, call, organisation, dossier)
    if request.POST.get("action") == "import":
        form = MandateImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return _mandates_page(request, call, organisation, dossier, import_form=form, status=400)
        try:
            report = mandates_import_csv(
                dossier_id=dossier.pk,
                data=form.cleaned_data["file"].read(),
                import_good_rows=form.cleaned_data["import_good_rows"],
                actor=request.user,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return _mandates_page(request, call, organisation, dossier, import_form=form, status=400)
        if report.imported:
            messages.success(request, _("%(n)d mandating enterprises imported.") % {"n": report.imported})
        if report.has_errors:
            if not report.imported:
                messages.error(
                    request, _("Nothing was imported: the file has errors. Correct them, or choose to import the good rows.")
                )
            return _mandates_page(request, call, organisation, dossier, import_form=form, report=report, status=400)
        return redirect(dossier_url(call, organisation, "dossier_mandates"))

    form = MandateForm(request.POST)
    if form.is_valid():
        try:
            mandate_add(dossier_id=dossier.pk, data=form.cleaned_data, actor=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Mandating enterprise added."))
            return redirect(dossier_url(call, organisation, "dossier_mandates"))
    return _mandates_page(request, call, organisation, dossier, add_form=form, status=400)


@require_http_methods(["GET", "POST"])
@with_dossier
def dossier_mandate_edit(request, pk, *, call, organisation, dossier):
    from django.core.exceptions import ValidationError

    from intake.forms import MandateForm
    from intake.mandates import mandate_update

    mandate = dossier.mandates.filter(pk=pk).first()
    if mandate is None:
        raise Http404
    status = 200
    if request.method == "POST":
        form = MandateForm(request.POST)
        if form.is_valid():
            try:
                mandate_update(
                    dossier_id=dossier.pk,
                    mandate_id=mandate.pk,
                    data=form.cleaned_data,
                    expected_version=form.cleaned_data["version"] or 0,
                    actor=request.user,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Saved."))
                return redirect(dossier_url(call, organisation, "dossier_mandates"))
        status = 400
    else:
        form = MandateForm(
            initial={
                "enterprise_number": mandate.enterprise_number,
                "name": mandate.name,
                "postal_code": mandate.postal_code,
                "municipality": mandate.municipality,
                "is_sme": "ja" if mandate.is_sme else "nee",
                "contact_email": mandate.contact_email,
                "version": mandate.version,
            }
        )
    section = DossierSection.MANDATES
    context = dossier_context(
        call,
        organisation,
        dossier,
        section=section,
        form=form,
        mandate=mandate,
        letters=dossier.attachments.filter(kind=AttachmentKind.MANDATE_LETTERS),
    )
    return render(request, "intake/dossier_mandate_edit.html", context, status=status)


@require_POST
@with_dossier
def dossier_mandate_letter(request, pk, *, call, organisation, dossier):
    """Link an uploaded mandate letter to one enterprise (or unlink it)."""
    from intake.mandates import mandate_letter_set

    if not dossier.mandates.filter(pk=pk).exists():
        raise Http404
    raw = request.POST.get("letter") or ""
    _run(
        request,
        mandate_letter_set,
        dossier_id=dossier.pk,
        mandate_id=pk,
        attachment_id=int(raw) if raw.isdigit() else None,
        actor=request.user,
        success=_("Saved."),
    )
    return redirect(dossier_url(call, organisation, "dossier_mandate_edit", pk=pk))


@require_POST
@with_dossier
def dossier_mandate_delete(request, pk, *, call, organisation, dossier):
    from intake.mandates import mandate_remove

    if not dossier.mandates.filter(pk=pk).exists():
        raise Http404
    try:
        mandate_remove(dossier_id=dossier.pk, mandate_id=pk, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Mandating enterprise removed."))
    return redirect(dossier_url(call, organisation, "dossier_mandates"))


def mandates_template(request, slug):
    """The CSV template with the documented columns; the same for every call."""
    from intake.mandates import mandates_template_csv

    selectors.call_get(slug=slug)
    response = HttpResponse(mandates_template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="mandaten-sjabloon.csv"'
    return response


# --- Budget ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@with_dossier
def dossier_budget(request, *, call, organisation, dossier):
    from intake.budget import AMOUNT_FIELDS, budget_rule_results, budget_save, budget_totals
    from intake.forms import budget_formset_class

    years = call.max_duration_years
    stored = {b.year: b for b in dossier.budget_years.all()}
    initial = [{f: getattr(stored[y], f) for f in AMOUNT_FIELDS} if y in stored else {} for y in range(1, years + 1)]
    version_form = VersionForm(request.POST or None, initial={"version": dossier.section_version(DossierSection.BUDGET)})
    formset = budget_formset_class(years)(request.POST or None, initial=initial, prefix="years")
    status = 200
    if request.method == "POST":
        if formset.is_valid() and version_form.is_valid():
            # A year counts when any amount is filled in; empty trailing years are left out.
            rows = [
                {"year": number, **{f: form.cleaned_data.get(f) or 0 for f in AMOUNT_FIELDS}}
                for number, form in enumerate(formset.forms, start=1)
                if any(form.cleaned_data.get(f) not in (None, "") for f in AMOUNT_FIELDS)
            ]
            saved, conflict = _save(
                request,
                budget_save,
                dossier_id=dossier.pk,
                years=rows,
                expected_version=version_form.cleaned_data["version"],
                actor=request.user,
            )
            if saved:
                return redirect(dossier_url(call, organisation, "dossier_budget"))
            status = 409 if conflict else 400
            if conflict:
                dossier.refresh_from_db()
                data = request.POST.copy()
                data["version"] = str(dossier.section_version(DossierSection.BUDGET))
                version_form = VersionForm(data)
                version_form.is_valid()
        else:
            messages.error(request, _("Not saved: correct the fields marked below."))
            status = 400
    stored_years = sorted(stored.values(), key=lambda b: b.year)
    section = DossierSection.BUDGET
    context = dossier_context(
        call,
        organisation,
        dossier,
        section=section,
        formset=formset,
        version_form=version_form,
        year_forms=list(enumerate(formset.forms, start=1)),
        totals=budget_totals(stored_years),
        rule_results=budget_rule_results(call, stored_years),
    )
    return render(request, "intake/dossier_budget.html", context, status=status)
