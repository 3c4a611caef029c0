"""The dossier pages (intake.web.views.dossier): section saves with per-section optimistic
locks, formsets, submission and its numbered versions, each version readable and
downloadable by the organisation only."""

import hashlib
import json

from django.urls import reverse

from intake.kernel.enums import DossierSection, DossierState, PreRegistrationState
from intake.models import Activity, Kpi, PreRegistration, Submission
from intake.rules.snapshots import dossier_content
from intake.services.submissions import dossier_submit
from tests.factories import CallFactory, UserFactory
from tests.intake.dossier_helpers import GOVERNANCE, NETWORK, complete_dossier, save_section
from tests.intake.web.dossier_pages import fresh, is_login_redirect, network_data, section_url, url

# --- Sections --------------------------------------------------------------------------------


def test_network_section_post_saves_and_bumps_its_version(logged_in_client, call, organisation, dossier, user):
    page = logged_in_client.get(section_url(call, organisation, DossierSection.NETWORK))
    assert page.status_code == 200
    assert page.context["form"]["version"].value() == 0

    response = logged_in_client.post(section_url(call, organisation, DossierSection.NETWORK), network_data(organisation))

    assert response.status_code == 302
    assert response["Location"] == section_url(call, organisation, DossierSection.NETWORK)
    saved = fresh(dossier)
    assert dossier_content(saved)["network"] == NETWORK
    assert saved.section_versions == {DossierSection.NETWORK: 1}
    assert saved.updated_by == user


def test_network_section_stale_version_is_409_and_keeps_the_typed_text(logged_in_client, call, organisation, dossier):
    colleague = UserFactory()
    save_section(dossier.pk, DossierSection.NETWORK, {**NETWORK, "theme": "Thema van de collega"}, colleague)
    before = fresh(dossier)

    response = logged_in_client.post(
        section_url(call, organisation, DossierSection.NETWORK),
        network_data(organisation, version=0, theme="Mijn eigen getypte thema"),
    )

    assert response.status_code == 409
    assert "Mijn eigen getypte thema" in response.content.decode()
    # The form now carries the stored version: saving again is a deliberate overwrite.
    assert int(response.context["form"]["version"].value()) == 1
    after = fresh(dossier)
    assert after.theme == "Thema van de collega"
    assert after.section_versions == before.section_versions == {DossierSection.NETWORK: 1}
    assert dossier_content(after) == dossier_content(before)

    again = logged_in_client.post(
        section_url(call, organisation, DossierSection.NETWORK),
        network_data(organisation, version=1, theme="Mijn eigen getypte thema"),
    )
    assert again.status_code == 302
    assert fresh(dossier).theme == "Mijn eigen getypte thema"


def test_two_sections_saved_from_fresh_forms_do_not_conflict(logged_in_client, call, organisation, dossier):
    network_form = logged_in_client.get(section_url(call, organisation, DossierSection.NETWORK)).context["form"]
    governance_form = logged_in_client.get(section_url(call, organisation, DossierSection.GOVERNANCE)).context["form"]

    first = logged_in_client.post(
        section_url(call, organisation, DossierSection.NETWORK),
        network_data(organisation, version=network_form["version"].value()),
    )
    second = logged_in_client.post(
        section_url(call, organisation, DossierSection.GOVERNANCE),
        {"organisation": organisation.pk, "version": governance_form["version"].value(), **GOVERNANCE},
    )

    assert (first.status_code, second.status_code) == (302, 302)
    saved = fresh(dossier)
    assert saved.theme == NETWORK["theme"]
    assert saved.board_composition == GOVERNANCE["board_composition"]
    assert saved.staff_fte == GOVERNANCE["staff_fte"]
    assert saved.section_versions == {DossierSection.NETWORK: 1, DossierSection.GOVERNANCE: 1}


def _rows(rows: list[dict], *, version=0, organisation) -> dict:
    data = {
        "organisation": organisation.pk,
        "version": version,
        "rows-TOTAL_FORMS": len(rows) + 1,  # and one empty extra row, as the page shows
        "rows-INITIAL_FORMS": 0,
        "rows-MIN_NUM_FORMS": 0,
        "rows-MAX_NUM_FORMS": 1000,
    }
    for index, row in enumerate(rows):
        data.update({f"rows-{index}-{name}": value for name, value in row.items()})
    return data


def test_kpi_formset_saves_rows(logged_in_client, call, organisation, dossier):
    data = _rows(
        [
            {"name": "Aantal leden", "unit": "bedrijven", "year_1": "10", "year_2": "20", "year_3": "30.5"},
            {"name": "Workshops", "unit": "", "year_1": "4"},
        ],
        organisation=organisation,
    )

    response = logged_in_client.post(section_url(call, organisation, DossierSection.OBJECTIVES), data)

    assert response.status_code == 302
    assert list(Kpi.objects.filter(dossier=dossier).values_list("name", "unit", "targets")) == [
        ("Aantal leden", "bedrijven", {"1": "10", "2": "20", "3": "30.5"}),
        ("Workshops", "", {"1": "4"}),
    ]
    assert fresh(dossier).section_versions == {DossierSection.OBJECTIVES: 1}
    page = logged_in_client.get(section_url(call, organisation, DossierSection.OBJECTIVES))
    assert page.context["formset"].initial[0]["name"] == "Aantal leden"


def test_activity_formset_saves_rows_and_leaves_deleted_ones_out(logged_in_client, call, organisation, dossier):
    data = _rows(
        [
            {"year": "1", "title": "Opstartworkshop", "description": "Kennismaking"},
            {"year": "2", "title": "Geschrapt", "description": "", "DELETE": "on"},
            {"year": "3", "title": "Slotevent", "description": ""},
        ],
        organisation=organisation,
    )

    response = logged_in_client.post(section_url(call, organisation, DossierSection.ACTION_PLAN), data)

    assert response.status_code == 302
    assert list(Activity.objects.filter(dossier=dossier).values_list("year", "title")) == [
        (1, "Opstartworkshop"),
        (3, "Slotevent"),
    ]
    assert fresh(dossier).section_versions == {DossierSection.ACTION_PLAN: 1}


def test_action_plan_with_one_activity_saves_beside_the_untouched_blank_rows(logged_in_client, call, organisation, dossier):
    # As the browser sends the page: the blank rows' year selects have no empty option and post "1".
    data = _rows([{"year": "2", "title": "Opstart werkgroepen", "description": ""}], organisation=organisation)
    data["rows-TOTAL_FORMS"] = 3
    for index in (1, 2):
        data.update({f"rows-{index}-year": "1", f"rows-{index}-title": "", f"rows-{index}-description": ""})

    response = logged_in_client.post(section_url(call, organisation, DossierSection.ACTION_PLAN), data)

    assert response.status_code == 302
    assert list(Activity.objects.filter(dossier=dossier).values_list("year", "title")) == [(2, "Opstart werkgroepen")]
    assert fresh(dossier).section_versions == {DossierSection.ACTION_PLAN: 1}


def test_action_plan_row_with_a_description_but_no_title_asks_for_the_title(logged_in_client, call, organisation, dossier):
    data = _rows([{"year": "1", "title": "", "description": "Drie workshops voor de leden"}], organisation=organisation)

    response = logged_in_client.post(section_url(call, organisation, DossierSection.ACTION_PLAN), data)

    assert response.status_code == 400
    assert not Activity.objects.filter(dossier=dossier).exists()
    assert response.context["formset"].forms[0].errors["title"]


def test_activity_formset_stale_version_is_409_and_changes_nothing(logged_in_client, call, organisation, dossier):
    url_ = section_url(call, organisation, DossierSection.ACTION_PLAN)
    assert logged_in_client.post(url_, _rows([{"year": "1", "title": "Eerst"}], organisation=organisation)).status_code == 302

    response = logged_in_client.post(url_, _rows([{"year": "2", "title": "Mijn verouderde rij"}], organisation=organisation))

    assert response.status_code == 409
    assert "Mijn verouderde rij" in response.content.decode()
    assert list(Activity.objects.filter(dossier=dossier).values_list("title", flat=True)) == ["Eerst"]
    assert fresh(dossier).section_versions == {DossierSection.ACTION_PLAN: 1}


def test_activity_in_a_year_beyond_the_duration_is_refused(logged_in_client, call, organisation, dossier):
    assert call.max_duration_years == 3

    response = logged_in_client.post(
        section_url(call, organisation, DossierSection.ACTION_PLAN),
        _rows([{"year": "1", "title": "Binnen"}, {"year": "4", "title": "Jaar vier"}], organisation=organisation),
    )

    assert response.status_code == 400
    assert not Activity.objects.filter(dossier=dossier).exists()
    assert fresh(dossier).section_versions == {}


# --- Submit ----------------------------------------------------------------------------------


def test_dossier_submit_accepts_only_post(logged_in_client, call, organisation, user):
    complete_dossier(call, organisation, user)

    response = logged_in_client.get(url(call, organisation, "dossier_submit"))

    assert response.status_code == 405
    assert not Submission.objects.filter(kind="dossier").exists()


def test_submit_view_submits_a_complete_dossier(logged_in_client, call, organisation, user):
    dossier = complete_dossier(call, organisation, user)

    response = logged_in_client.post(url(call, organisation, "dossier_submit"), {"organisation": organisation.pk})

    assert response.status_code == 302
    assert response["Location"] == url(call, organisation)
    submission = Submission.objects.get(kind="dossier")
    assert submission.version == 1
    assert submission.submitted_by == user
    assert submission.reference == f"{call.reference_prefix}-DS-{dossier.preregistration.number:04d}-1"
    assert fresh(dossier).state == DossierState.SUBMITTED


def test_resubmit_view_keeps_every_version_readable(logged_in_client, call, organisation, user):
    dossier = complete_dossier(call, organisation, user)
    submit_url = url(call, organisation, "dossier_submit")
    assert logged_in_client.post(submit_url, {"organisation": organisation.pk}).status_code == 302
    first = Submission.objects.get(kind="dossier", version=1)
    first_snapshot = first.snapshot

    changed = logged_in_client.post(
        section_url(call, organisation, DossierSection.NETWORK),
        network_data(organisation, version=1, theme="Tweede versie van het thema"),
    )
    assert changed.status_code == 302
    assert logged_in_client.post(submit_url, {"organisation": organisation.pk}).status_code == 302

    second = Submission.objects.get(kind="dossier", version=2)
    assert second.reference == first.reference[:-2] + "-2"
    assert Submission.objects.get(pk=first.pk).snapshot == first_snapshot

    overview = logged_in_client.get(url(call, organisation))
    html = overview.content.decode()
    assert [s.version for s in overview.context["submissions"]] == [2, 1]
    for submission in (first, second):
        assert submission.reference in html
        assert reverse("intake:dossier_version", kwargs={"slug": call.slug, "version": submission.version}) in html

    page = logged_in_client.get(url(call, organisation, "dossier_version", version=1))
    assert page.status_code == 200
    assert page.context["submission"] == first
    assert page.context["snapshot"]["content"]["network"]["theme"] == NETWORK["theme"]
    assert first.snapshot_sha256 in page.content.decode()

    download = logged_in_client.get(url(call, organisation, "dossier_version", version=1) + "&format=json")
    assert download.status_code == 200
    assert download.content == first_snapshot.encode("utf-8")
    assert hashlib.sha256(download.content).hexdigest() == first.snapshot_sha256
    assert download["Content-Disposition"].startswith(f'attachment; filename="{first.reference}.json";')
    assert download["Content-Type"].startswith("application/json")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Cache-Control"] == "private, no-store"  # as attachments and receipts
    assert json.loads(download.content)["version"] == 1

    assert logged_in_client.get(url(call, organisation, "dossier_version", version=3)).status_code == 404
    assert fresh(dossier).state == DossierState.SUBMITTED


def test_submit_view_refuses_an_incomplete_dossier_with_links_to_the_gaps(logged_in_client, call, organisation, dossier, user):
    save_section(dossier.pk, DossierSection.NETWORK, NETWORK, user)
    before = dossier_content(fresh(dossier))
    versions_before = fresh(dossier).section_versions

    response = logged_in_client.post(url(call, organisation, "dossier_submit"), {"organisation": organisation.pk}, follow=True)

    # No page left on the POST: back on the overview, which opens with the gaps as an alert.
    assert response.redirect_chain[-1][0].endswith("&refused=1")
    assert response.status_code == 200
    assert response.context["refused"] is True
    gaps = response.context["gaps"]
    assert f"{len(response.context['gaps'])} punten vragen nog aandacht" in response.content.decode()
    assert {gap.section for gap in gaps} == set(DossierSection.values) - {DossierSection.NETWORK}
    html = response.content.decode()
    alerts = [part[: part.index("</div>")] for part in html.split('class="alert alert-danger"')[1:]]
    [refusal] = [alert for alert in alerts if "<ul" in alert]
    assert refusal.count("<li>") == len(gaps)
    for gap in gaps:
        assert f'href="{section_url(call, organisation, gap.section)}"' in refusal
    assert f'href="{section_url(call, organisation, DossierSection.NETWORK)}"' not in refusal
    assert not Submission.objects.filter(kind="dossier").exists()
    after = fresh(dossier)
    assert after.state == DossierState.DRAFT
    assert dossier_content(after) == before
    assert after.section_versions == versions_before


def test_submit_view_refuses_29_mandates_with_a_mandates_gap(logged_in_client, call, organisation, user):
    dossier = complete_dossier(call, organisation, user, mandates=29)

    response = logged_in_client.post(url(call, organisation, "dossier_submit"), {"organisation": organisation.pk}, follow=True)

    assert response.context["refused"] is True
    assert [gap.section for gap in response.context["gaps"]] == [DossierSection.MANDATES]
    assert fresh(dossier).state == DossierState.DRAFT
    assert not Submission.objects.filter(kind="dossier").exists()


# --- Versions and the overview ---------------------------------------------------------------


def test_version_json_by_another_organisation_is_not_found(client, call, organisation, submitted_dossier, outsider):
    client.force_login(outsider)

    for acting_for in (organisation, outsider.organisations.get()):
        response = client.get(url(call, acting_for, "dossier_version", version=1) + "&format=json")
        assert response.status_code == 404


def test_version_json_by_anonymous_redirects_to_login(client, call, organisation, submitted_dossier):
    assert is_login_redirect(client.get(url(call, organisation, "dossier_version", version=1) + "&format=json"))


def test_dossier_pages_of_another_call_do_not_show_this_dossier(logged_in_client, organisation, submitted_dossier, user):
    other_call = CallFactory()

    response = logged_in_client.get(url(other_call, organisation, "dossier_version", version=1))

    # No pre-registration for the other call: its dossier is locked, and nothing leaks.
    assert response.status_code == 403
    assert not PreRegistration.objects.filter(call=other_call).exists()
    assert PreRegistration.objects.get(call=submitted_dossier.call).state == PreRegistrationState.SUBMITTED


def test_overview_warns_about_changes_made_after_the_last_submission(client, user, call, organisation, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    dossier = complete_dossier(call, organisation, user)
    dossier_submit(dossier_id=dossier.pk, actor=user)
    client.force_login(user)
    url = f"/calls/{call.slug}/dossier/?organisation={organisation.pk}"
    assert client.get(url).context["unsubmitted_changes"] is False

    save_section(dossier.pk, "network", {**NETWORK, "theme": "Na de indiening gewijzigd"}, user)

    response = client.get(url)
    assert response.context["unsubmitted_changes"] is True


def _submit_button(html: str) -> str:
    start = html.index('action="' + "/calls/")
    form = html[start : html.index("</form>", start)]
    return form[form.index("<button") : form.index(">", form.index("<button"))]


def test_overview_actions_follow_the_state(client, user, call, organisation):
    """Before a submission: submit is primary, nothing to withdraw. After it: the page leads
    with the submitted version and its receipt, withdrawing is offered apart, and a new
    version is the primary action only when there is something new to submit."""
    dossier = complete_dossier(call, organisation, user)
    client.force_login(user)
    overview = f"/calls/{call.slug}/dossier/?organisation={organisation.pk}"

    before = client.get(overview).content.decode()
    assert "btn-primary" in _submit_button(before)
    assert "dossier/withdraw/" not in before

    submission = dossier_submit(dossier_id=dossier.pk, actor=user)
    after = client.get(overview).content.decode()
    assert "Versie 1 ingediend op" in after and submission.reference in after
    assert "btn-outline-dark" in _submit_button(after)
    assert "dossier/withdraw/" in after

    save_section(dossier.pk, "network", {**NETWORK, "theme": "Gewijzigd"}, user)
    changed = client.get(overview).content.decode()
    assert "btn-primary" in _submit_button(changed)
