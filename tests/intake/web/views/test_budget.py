"""The budget page (intake.web.views.budget): the years saved from the formset under the
section's optimistic lock; a year beyond the call's duration is refused with the form."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from intake.kernel.enums import DossierSection
from intake.models import BudgetYear
from intake.rules.files import XLSX, detect_type
from tests.intake.dossier_helpers import BUDGET_YEAR
from tests.intake.web.dossier_pages import budget_data, fresh, url


def test_budget_post_saves_the_years(logged_in_client, call, organisation, dossier):
    response = logged_in_client.post(url(call, organisation, "dossier_budget"), budget_data(organisation))

    assert response.status_code == 302
    assert list(BudgetYear.objects.filter(dossier=dossier).values_list("year", "requested_subsidy")) == [
        (1, BUDGET_YEAR["requested_subsidy"]),
        (2, BUDGET_YEAR["requested_subsidy"]),
        (3, BUDGET_YEAR["requested_subsidy"]),
    ]
    assert fresh(dossier).section_versions == {DossierSection.BUDGET: 1}


def test_budget_stale_version_is_409_and_changes_nothing(logged_in_client, call, organisation, dossier):
    budget_url = url(call, organisation, "dossier_budget")
    assert logged_in_client.post(budget_url, budget_data(organisation, years=2)).status_code == 302

    response = logged_in_client.post(budget_url, budget_data(organisation, years=3, version=0))

    assert response.status_code == 409
    assert BudgetYear.objects.filter(dossier=dossier).count() == 2
    assert fresh(dossier).section_versions == {DossierSection.BUDGET: 1}


def test_budget_with_a_year_beyond_the_duration_is_refused(logged_in_client, call, organisation, dossier):
    # A fourth year (a form opened before the call manager shortened the call, or a
    # hand-made request) is refused with the form again, not with a server error.
    response = logged_in_client.post(url(call, organisation, "dossier_budget"), budget_data(organisation, years=4))

    assert response.status_code == 400
    assert not BudgetYear.objects.filter(dossier=dossier).exists()
    assert fresh(dossier).section_versions == {}
    # The summary names the rule, not Django's "Verstuur maximaal 3 formulieren".
    summary = response.content.decode().split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    assert "Deze oproep laat hoogstens 3 jaar toe; jaar 4 valt daarbuiten." in summary
    assert "formulieren" not in summary


@pytest.mark.django_db
def test_the_budget_template_is_an_xlsx_the_attachments_accept(client, call):
    """Linked from the call page and the budget and attachments pages; anyone may download it."""
    response = client.get(reverse("intake:budget_template", kwargs={"slug": call.slug}))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith(f'attachment; filename="begroting-{call.slug}.xlsx"')
    workbook = load_workbook(io.BytesIO(response.content))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[3][1:] == tuple(f"Jaar {y}" for y in range(1, call.max_duration_years + 1))
    labels = ["Personeelskosten", "Werkingskosten", "Andere kosten", "Ledenbijdragen", "Gevraagde steun"]
    assert [r[0] for r in rows[4:9]] == labels
    data = response.content
    assert detect_type(data[:64], io.BytesIO(data)) == XLSX


@pytest.mark.django_db
def test_the_call_page_links_the_budget_template(client, call):
    page = client.get(call.get_absolute_url()).content.decode()

    assert reverse("intake:budget_template", kwargs={"slug": call.slug}) in page


def test_a_refused_budget_keeps_the_saved_years_and_opens_with_the_error_summary(logged_in_client, call, organisation, dossier):
    budget_url = url(call, organisation, "dossier_budget")
    assert logged_in_client.post(budget_url, budget_data(organisation, years=2)).status_code == 302
    before = list(BudgetYear.objects.filter(dossier=dossier).values())

    data = budget_data(organisation, years=2, version=1) | {"years-1-staff_costs": "1,234.56"}
    response = logged_in_client.post(budget_url, data)

    assert response.status_code == 400
    assert list(BudgetYear.objects.filter(dossier=dossier).values()) == before  # the draft is unchanged
    html = response.content.decode()
    summary = html[html.index('id="error-summary"') : html.index("</div>", html.index('id="error-summary"'))]
    assert 'role="alert" tabindex="-1" id="error-summary"' in html
    assert '<a href="#id_years-1-staff_costs">Jaar 2 – personeelskosten: „1,234.56” is geen bedrag' in summary
    assert html.index('id="error-summary"') < html.index("<h1")  # at the top of the page
    assert 'value="1,234.56"' in html  # what was typed stays in the form


def test_a_stored_budget_is_shown_with_thousands_dots(logged_in_client, call, organisation, dossier):
    logged_in_client.post(url(call, organisation, "dossier_budget"), budget_data(organisation, years=1))

    html = logged_in_client.get(url(call, organisation, "dossier_budget")).content.decode()

    amount = BudgetYear.objects.get(dossier=dossier).staff_costs
    assert amount >= 1000
    whole = f"{int(amount):,}".replace(",", ".")
    assert f'value="{whole},{f"{amount:.2f}"[-2:]}"' in html
