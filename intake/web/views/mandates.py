"""The mandating enterprises of a dossier: the list and count, a CSV import, one
enterprise added by hand, edited, linked to its letter or removed, and the CSV template."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from intake.kernel.enums import DossierSection
from intake.kernel.errors import DomainError
from intake.rules.mandates import MANDATE_CSV_COLUMNS, mandate_checks, mandate_count, mandates_template_csv
from intake.rules.registry import mandate_registry, registry_checked_label
from intake.selectors import calls as call_selectors
from intake.selectors import dossiers as selectors
from intake.services import mandates as services
from intake.web.decorators import page_url, with_dossier
from intake.web.errors import attach, run
from intake.web.files import download_response
from intake.web.forms.mandates import MandateForm, MandateImportForm
from intake.web.views.dossier import render_section

SECTION = DossierSection.MANDATES


def _page(request, call, organisation, dossier, *, add_form=None, import_form=None, import_report=None, status=200):
    mandates = list(selectors.mandates_of(dossier))
    registry = mandate_registry([m.enterprise_number for m in mandates])
    return render_section(
        request,
        "intake/dossier_mandates.html",
        call,
        organisation,
        dossier,
        SECTION,
        status=status,
        mandates=[(m, mandate_checks(m.enterprise_number, m.postal_code, registry)) for m in mandates],
        count=mandate_count(dossier, registry),
        registry_label=registry_checked_label(registry) if registry else "",
        add_form=add_form or MandateForm(),
        import_form=import_form or MandateImportForm(),
        report=import_report,
        columns=MANDATE_CSV_COLUMNS,
    )


def _import(request, call, organisation, dossier):
    form = MandateImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, call, organisation, dossier, import_form=form, status=400)
    try:
        result = services.mandates_import_csv(
            dossier_id=dossier.pk,
            data=form.cleaned_data["file"].read(),
            import_good_rows=form.cleaned_data["import_good_rows"],
            actor=request.user,
            arrived_at=request.arrived_at,
        )
    except DomainError as exc:
        attach(exc, form)
        return _page(request, call, organisation, dossier, import_form=form, status=400)
    if result.imported:
        messages.success(request, _("%(n)d mandating enterprises imported.") % {"n": result.imported})
    if not result.has_errors:
        return redirect(page_url("dossier_mandates", call, organisation))
    # The error summary points at the file; the import report below lists each line.
    if result.imported:
        form.add_error("file", _("The rows with an error were not imported: see the import report below."))
    else:
        form.add_error("file", _("Nothing was imported: the file has errors. Correct them, or choose to import the good rows."))
    return _page(request, call, organisation, dossier, import_form=form, import_report=result, status=400)


def _add_error(form, exc) -> None:
    form.add_error(None, exc if isinstance(exc, ValidationError) else exc.message)


@require_http_methods(["GET", "POST"])
@with_dossier
def dossier_mandates(request, *, call, organisation, dossier):
    if request.method == "GET":
        return _page(request, call, organisation, dossier)
    if request.POST.get("action") == "import":
        return _import(request, call, organisation, dossier)
    form = MandateForm(request.POST)
    if form.is_valid():
        try:
            services.mandate_add(dossier_id=dossier.pk, data=form.cleaned_data, actor=request.user, arrived_at=request.arrived_at)
        except (ValidationError, DomainError) as exc:
            _add_error(form, exc)
        else:
            messages.success(request, _("Mandating enterprise added."))
            return redirect(page_url("dossier_mandates", call, organisation))
    return _page(request, call, organisation, dossier, add_form=form, status=400)


def _initial(mandate) -> dict:
    fields = ("enterprise_number", "name", "postal_code", "municipality", "contact_email", "version")
    return {**{f: getattr(mandate, f) for f in fields}, "is_sme": "ja" if mandate.is_sme else "nee"}


@require_http_methods(["GET", "POST"])
@with_dossier
def dossier_mandate_edit(request, pk, *, call, organisation, dossier):
    mandate = selectors.mandate_of(dossier, pk)
    if mandate is None:
        raise Http404
    status = 200
    if request.method != "POST":
        form = MandateForm(initial=_initial(mandate))
    else:
        form = MandateForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                services.mandate_update(
                    dossier_id=dossier.pk,
                    mandate_id=mandate.pk,
                    data=form.cleaned_data,
                    expected_version=form.cleaned_data["version"] or 0,
                    actor=request.user,
                    arrived_at=request.arrived_at,
                )
            except (ValidationError, DomainError) as exc:
                _add_error(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect(page_url("dossier_mandates", call, organisation))
    return render_section(
        request,
        "intake/dossier_mandate_edit.html",
        call,
        organisation,
        dossier,
        SECTION,
        status=status,
        form=form,
        mandate=mandate,
        letters=selectors.mandate_letters_of(dossier),
    )


@require_POST
@with_dossier
def dossier_mandate_letter(request, pk, *, call, organisation, dossier):
    """Link an uploaded mandate letter to one enterprise (or unlink it)."""
    if selectors.mandate_of(dossier, pk) is None:
        raise Http404
    raw = request.POST.get("letter") or ""
    run(
        request,
        services.mandate_letter_set,
        dossier_id=dossier.pk,
        mandate_id=pk,
        attachment_id=int(raw) if raw.isdigit() else None,
        actor=request.user,
        arrived_at=request.arrived_at,
        success=_("Saved."),
    )
    return redirect(page_url("dossier_mandate_edit", call, organisation, pk=pk))


@require_POST
@with_dossier
def dossier_mandate_delete(request, pk, *, call, organisation, dossier):
    if selectors.mandate_of(dossier, pk) is None:
        raise Http404
    done = _("Mandating enterprise removed.")
    run(
        request,
        services.mandate_remove,
        dossier_id=dossier.pk,
        mandate_id=pk,
        actor=request.user,
        arrived_at=request.arrived_at,
        success=done,
    )
    return redirect(page_url("dossier_mandates", call, organisation))


def mandates_template(request, slug):
    """The CSV template with the documented columns; the same for every call."""
    call_selectors.call_get(slug=slug)
    return download_response(mandates_template_csv(), filename="mandaten-sjabloon.csv", content_type="text/csv; charset=utf-8")
