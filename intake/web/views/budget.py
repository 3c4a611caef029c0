"""The budget page of a dossier: one row of amounts per project year, the totals and the
outcome of every funding rule."""

from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from intake.kernel.enums import DossierSection
from intake.rules.budget import AMOUNT_FIELDS, budget_rule_results, budget_template_xlsx, budget_totals
from intake.selectors import calls as call_selectors
from intake.selectors import dossiers as selectors
from intake.services.budget import budget_save
from intake.web.decorators import page_url, with_dossier
from intake.web.files import download_response
from intake.web.forms.budget import budget_formset_class
from intake.web.forms.dossier import VersionForm
from intake.web.views.dossier import post_rows, render_section

SECTION = DossierSection.BUDGET


@require_http_methods(["GET", "POST"])
@with_dossier
def dossier_budget(request, *, call, organisation, dossier):
    stored = selectors.budget_years_of(dossier)
    by_year = {b.year: b for b in stored}
    initial = [
        {f: getattr(by_year[y], f) for f in AMOUNT_FIELDS} if y in by_year else {} for y in range(1, call.max_duration_years + 1)
    ]
    version_form = VersionForm(request.POST or None, initial={"version": dossier.section_version(SECTION)})
    formset = budget_formset_class(call.max_duration_years)(request.POST or None, initial=initial, prefix="years")
    status = 200
    if request.method == "POST":
        saved, version_form, status = post_rows(
            request,
            dossier=dossier,
            section=SECTION,
            formset=formset,
            version_form=version_form,
            store=lambda expected_version: budget_save(
                dossier_id=dossier.pk,
                years=formset.filled_years(),
                expected_version=expected_version,
                actor=request.user,
                arrived_at=request.arrived_at,
            ),
        )
        if saved:
            return redirect(page_url("dossier_budget", call, organisation))
    return render_section(
        request,
        "intake/dossier_budget.html",
        call,
        organisation,
        dossier,
        SECTION,
        status=status,
        formset=formset,
        version_form=version_form,
        year_forms=list(enumerate(formset.forms, start=1)),
        totals=budget_totals(stored),
        rule_results=budget_rule_results(call, stored),
    )


def budget_template(request, slug):
    """The budget template of a call (XLSX), for the attachment the call requires."""
    call = call_selectors.call_get(slug=slug)
    content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return download_response(budget_template_xlsx(call), filename=f"begroting-{call.slug}.xlsx", content_type=content_type)
