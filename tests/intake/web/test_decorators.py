"""with_dossier (intake.web.decorators) on every dossier page and method: unlocked only by a
submitted pre-registration, invisible to other organisations (their objects too), and
closed to anonymous visitors. A refused request changes nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from intake.kernel.enums import DossierSection, DossierState
from intake.models import Attachment, BudgetYear, Dossier, Mandate, Submission
from intake.rules.snapshots import dossier_content
from intake.services.dossiers import dossier_for
from intake.services.preregistrations import preregistration_withdraw
from tests.factories import PreRegistrationFactory
from tests.intake.dossier_helpers import NETWORK, pdf_bytes, save_section, submitted_preregistration, valid_enterprise_number
from tests.intake.web.dossier_pages import budget_data, fresh, is_login_redirect, network_data, url

# --- What each dossier page gets posted ------------------------------------------------------


def _no_data(organisation) -> dict:
    return {"organisation": organisation.pk}


def _mandate_data(organisation) -> dict:
    return {
        "organisation": organisation.pk,
        "enterprise_number": valid_enterprise_number(900),
        "name": "Handmatig BV",
        "postal_code": "9000",
        "municipality": "Gent",
        "is_sme": "ja",
        "contact_email": "",
    }


def _attachment_data(organisation) -> dict:
    return {
        "organisation": organisation.pk,
        "kind": "other",
        "file": SimpleUploadedFile("bijlage.pdf", pdf_bytes("bijlage"), content_type="application/pdf"),
    }


# (id, url name, url kwargs, method, data, status once unlocked)
ENDPOINTS = [
    ("overview-get", "dossier", {}, "get", None, 200),
    ("overview-post", "dossier", {}, "post", _no_data, 200),
    ("section-get", "dossier_section", {"section": "network"}, "get", None, 200),
    ("section-post", "dossier_section", {"section": "network"}, "post", network_data, 302),
    ("mandates-get", "dossier_mandates", {}, "get", None, 200),
    ("mandates-post", "dossier_mandates", {}, "post", _mandate_data, 302),
    ("budget-get", "dossier_budget", {}, "get", None, 200),
    ("budget-post", "dossier_budget", {}, "post", budget_data, 302),
    ("attachments-get", "dossier_attachments", {}, "get", None, 200),
    ("attachments-post", "dossier_attachments", {}, "post", _attachment_data, 302),
    # The dossier is still empty: the submit is refused, back to the overview with its gaps.
    ("submit-post", "dossier_submit", {}, "post", _no_data, 302),
]
ENDPOINT_IDS = [endpoint[0] for endpoint in ENDPOINTS]


def send(client, call, organisation, endpoint):
    _id, name, kwargs, method, data, _status = endpoint
    target = url(call, organisation, name, **kwargs)
    if method == "get":
        return client.get(target)
    return client.post(target, data(organisation))


def dossier_rows() -> dict:
    return {
        "dossiers": Dossier.objects.count(),
        "mandates": Mandate.objects.count(),
        "budget_years": BudgetYear.objects.count(),
        "attachments": Attachment.objects.count(),
        "submissions": Submission.objects.filter(kind="dossier").count(),
    }


# --- Unlock matrix ---------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=ENDPOINT_IDS)
def test_dossier_without_preregistration_is_locked(logged_in_client, call, organisation, endpoint):
    response = send(logged_in_client, call, organisation, endpoint)

    assert response.status_code == 403
    assert response.templates[0].name == "intake/dossier_locked.html"
    assert not Dossier.objects.exists()


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=ENDPOINT_IDS)
def test_dossier_with_draft_preregistration_is_locked(logged_in_client, call, organisation, endpoint):
    PreRegistrationFactory(call=call, organisation=organisation, complete=True)

    response = send(logged_in_client, call, organisation, endpoint)

    assert response.status_code == 403
    assert not Dossier.objects.exists()


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=ENDPOINT_IDS)
def test_dossier_with_submitted_preregistration_is_open(logged_in_client, call, organisation, user, endpoint):
    submitted_preregistration(call, organisation, user)

    response = send(logged_in_client, call, organisation, endpoint)

    assert response.status_code == endpoint[-1]
    # Reading a page writes nothing: the dossier row is created by the first POST.
    created = 0 if endpoint[3] == "get" else 1
    assert Dossier.objects.filter(call=call, organisation=organisation).count() == created


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=ENDPOINT_IDS)
def test_dossier_with_withdrawn_preregistration_is_locked_even_with_a_dossier(
    logged_in_client, call, organisation, user, endpoint
):
    preregistration = submitted_preregistration(call, organisation, user)
    dossier = dossier_for(call=call, organisation=organisation)
    save_section(dossier.pk, DossierSection.NETWORK, NETWORK, user)
    preregistration_withdraw(preregistration_id=preregistration.pk, actor=user)
    before, rows_before = dossier_content(fresh(dossier)), dossier_rows()

    response = send(logged_in_client, call, organisation, endpoint)

    assert response.status_code == 403
    assert dossier_content(fresh(dossier)) == before
    assert dossier_rows() == rows_before
    assert fresh(dossier).section_versions == {DossierSection.NETWORK: 1}


# --- Other organisations, anonymous visitors -------------------------------------------------


def _object_endpoints(dossier):
    attachment = dossier.attachments.first()
    mandate = dossier.mandates.first()
    return [
        ("dossier_attachment_download", {"pk": attachment.pk}, "get"),
        ("dossier_attachment_delete", {"pk": attachment.pk}, "post"),
        ("dossier_mandate_edit", {"pk": mandate.pk}, "get"),
        ("dossier_mandate_edit", {"pk": mandate.pk}, "post"),
        ("dossier_mandate_delete", {"pk": mandate.pk}, "post"),
        ("dossier_version", {"version": 1}, "get"),
        ("dossier_withdraw", {}, "post"),
        ("dossier_reopen", {}, "post"),
    ]


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=ENDPOINT_IDS)
def test_dossier_of_another_organisation_is_not_found(client, call, organisation, submitted_dossier, outsider, endpoint):
    client.force_login(outsider)
    before, rows_before = dossier_content(fresh(submitted_dossier)), dossier_rows()

    response = send(client, call, organisation, endpoint)

    assert response.status_code == 404
    assert dossier_content(fresh(submitted_dossier)) == before
    assert dossier_rows() == rows_before


def test_dossier_objects_of_another_organisation_are_not_found(client, call, organisation, submitted_dossier, outsider):
    client.force_login(outsider)
    own = outsider.organisations.get()
    state_before, rows_before = fresh(submitted_dossier).state, dossier_rows()

    for name, kwargs, method in _object_endpoints(submitted_dossier):
        # With A's id in the request, and with B's own organisation and A's object ids.
        for acting_for in (organisation, own) if kwargs else (organisation,):
            target = url(call, acting_for, name, **kwargs)
            response = getattr(client, method)(target, {"organisation": acting_for.pk} if method == "post" else None)
            assert response.status_code == 404, (name, method, acting_for)
            if name == "dossier_version":
                assert client.get(target + "&format=json").status_code == 404

    assert fresh(submitted_dossier).state == state_before == DossierState.SUBMITTED
    assert dossier_rows() == rows_before


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=ENDPOINT_IDS)
def test_dossier_pages_send_anonymous_visitors_to_login(client, call, organisation, submitted_dossier, endpoint):
    rows_before = dossier_rows()

    response = send(client, call, organisation, endpoint)

    assert is_login_redirect(response)
    assert dossier_rows() == rows_before
