"""The applicant organisation checked against the loaded KBO extract: created only when the
register shows an active legal person, pre-filled from it, differences shown, checked again
at every submission; without an extract the page says the checks are off (issue 14, item 2)."""

import pytest
from django.urls import reverse

from intake.kernel.errors import DossierIncomplete
from intake.models import Organisation, PreRegistration, Submission
from intake.services.registry import registry_import
from intake.services.submissions import dossier_submit
from tests.factories import OrganisationFactory
from tests.intake import registry_helpers as kbo
from tests.intake.dossier_helpers import complete_dossier
from tests.intake.preregistration_helpers import prereg_url, save_draft
from tests.intake.web.views.test_organisations import organisation_post_data

pytestmark = pytest.mark.django_db

CREATE = reverse("intake:organisation_create")


@pytest.fixture
def registry(tmp_path):
    registry_import(path=kbo.full_zip(tmp_path))
    return tmp_path


def _create(client, number):
    return client.post(CREATE, organisation_post_data(enterprise_number=number))


def test_without_a_registry_the_page_says_checks_are_off_and_works_as_before(logged_in_client):
    assert "De controle in het register staat uit" in logged_in_client.get(CREATE).content.decode()
    assert _create(logged_in_client, kbo.NOBODY).status_code == 302


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (kbo.NATURAL, "is {} een natuurlijk persoon; de oproep vraagt een organisatie met rechtspersoonlijkheid"),
        (kbo.NOBODY, "Het register (KBO) kent geen onderneming {}."),
    ],
)
def test_the_register_refuses_what_the_call_does_not_admit(logged_in_client, registry, number, expected):
    response = _create(logged_in_client, number)

    assert response.status_code == 200
    assert expected.format(number) in response.content.decode()
    assert not Organisation.objects.exists()


def test_a_stopped_enterprise_is_refused_after_the_update(logged_in_client, registry):
    registry_import(path=kbo.update_zip(registry))

    assert f"Het register (KBO) kent geen onderneming {kbo.STOPPED}." in _create(logged_in_client, kbo.STOPPED).content.decode()
    assert not Organisation.objects.exists()


def test_an_active_legal_person_is_created(logged_in_client, registry):
    assert _create(logged_in_client, kbo.LEGAL).status_code == 302
    assert Organisation.objects.get().enterprise_number == kbo.canonical(kbo.LEGAL)


def test_the_form_is_prefilled_from_the_register(logged_in_client, registry):
    response = logged_in_client.get(CREATE, {"lookup": "BE 0403 019 261"})

    form = response.context["form"]
    assert form["name"].value() == "Cluster Vlaanderen"
    assert (form["street"].value(), form["postal_code"].value(), form["municipality"].value()) == ("Meir 1", "2000", "Antwerpen")
    assert form["enterprise_number"].value() == "0403.019.261"
    assert "KBO-uittreksel 140 van 4 oktober 2026" in response.content.decode()


def test_a_lookup_of_a_natural_person_says_why_it_cannot_apply(logged_in_client, registry):
    html = logged_in_client.get(CREATE, {"lookup": kbo.NATURAL}).content.decode()

    assert "een natuurlijk persoon" in html


def test_the_organisation_page_shows_where_the_typed_facts_differ(logged_in_client, registry):
    logged_in_client.post(CREATE, organisation_post_data(enterprise_number=kbo.LEGAL))
    organisation = Organisation.objects.get()

    html = logged_in_client.get(organisation.get_absolute_url()).content.decode()

    assert "Gecontroleerd tegen KBO-uittreksel 140 van 4 oktober 2026." in html
    table = html[html.index("<caption>") :]
    assert "Slimme Warmte Cluster vzw" in table and "Cluster Vlaanderen" in table
    assert "Kortrijksesteenweg 12, 9000 Gent" in table and "Meir 1, 2000 Antwerpen" in table


def test_a_submission_is_refused_when_the_organisation_stopped_since(logged_in_client, call, user, registry):
    organisation = OrganisationFactory(owner=user, enterprise_number=kbo.canonical(kbo.STOPPED))
    save_draft(call, organisation, user)
    registry_import(path=kbo.update_zip(registry))

    response = logged_in_client.post(prereg_url(call, action="submit"), {"organisation": organisation.pk}, follow=True)

    assert not Submission.objects.exists()
    assert PreRegistration.objects.get().state == "draft"
    assert f"Het register (KBO) kent geen onderneming {kbo.STOPPED}." in response.content.decode()


def test_a_dossier_submission_is_refused_when_the_organisation_stopped_since(call, user, tmp_path):
    organisation = OrganisationFactory(owner=user, enterprise_number=kbo.canonical(kbo.STOPPED))
    dossier = complete_dossier(call, organisation, user)  # its 30 mandates imported with checks off
    registry_import(path=kbo.full_zip(tmp_path))
    registry_import(path=kbo.update_zip(tmp_path))

    with pytest.raises(DossierIncomplete) as refused:
        dossier_submit(dossier_id=dossier.pk, actor=user)

    assert any(f"Het register (KBO) kent geen onderneming {kbo.STOPPED}." in gap.message for gap in refused.value.gaps)
    assert not Submission.objects.filter(kind="dossier").exists()
