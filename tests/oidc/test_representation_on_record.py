"""A person whose sign-in through the government's identity service says they act for
an enterprise submits for it without any verification step, and what certifies the
submission says how their acting for it was established: the snapshot, the receipt (a
real PDF, read back) and the reviewers' admissibility checklist (issue 15)."""

import io
import json
import re

import pytest
from pypdf import PdfReader

from intake.kernel.enums import PreRegistrationState, VerificationState
from intake.messaging.receipts import receipt_pdf
from intake.models import Organisation, PreRegistration, Submission
from intake.services.submissions import dossier_submit
from reviews.admissibility import checklist
from tests.factories import OrganisationFactory, UserFactory
from tests.intake.dossier_helpers import complete_dossier
from tests.intake.preregistration_helpers import form_post, prereg_url
from tests.oidc.portal import applicant_claims, portal_settings, sign_in_through

pytestmark = pytest.mark.django_db

NUMBER = "0403019261"


@pytest.fixture
def portal(oidc_provider):
    with portal_settings(oidc_provider, "http://testserver"):
        yield oidc_provider


def _pdf_text(data: bytes) -> str:
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def _signed_in_member(client, portal):
    portal.set_person("an", "pw", applicant_claims("an@voorbeeld.be", NUMBER))
    sign_in_through(client, portal, "acm", "an")
    return Organisation.objects.get(enterprise_number=NUMBER)


def test_a_pre_registration_needs_no_verification_step_and_its_receipt_says_how_representation_was_established(
    client, portal, call
):
    organisation = _signed_in_member(client, portal)
    assert organisation.verification_state == VerificationState.VERIFIED  # by the sign-in, not a call manager

    response = client.post(prereg_url(call), {**form_post(call, organisation, 0), "and_submit": "1"})

    assert response.status_code == 302
    assert PreRegistration.objects.get().state == PreRegistrationState.SUBMITTED
    submission = Submission.objects.get()
    snapshot = json.loads(submission.snapshot)
    assert snapshot["representation"]["method"] == "login"
    assert snapshot["representation"]["provider"] == "acm" and snapshot["representation"]["role"] == "ClusterAanvrager"
    assert snapshot["organisation"]["verification"] == VerificationState.VERIFIED
    text = _pdf_text(receipt_pdf(submission))
    assert "Vertegenwoordiging van de organisatie" in text
    established = (
        "vastgesteld door de aanmelding van an@voorbeeld.be via “Aanmelden bij de Vlaamse overheid”, rol ClusterAanvrager"
    )
    assert established in text


def test_the_reviewers_checklist_says_the_sign_in_established_the_representation(client, portal, call):
    organisation = _signed_in_member(client, portal)
    user = organisation.members.get()
    dossier = complete_dossier(call, organisation, user)

    submission = dossier_submit(dossier_id=dossier.pk, actor=user)

    check = next(c for c in checklist(dossier, submission) if c.code == "organisation_verified")
    assert check.ok
    expected = "Vastgesteld door de aanmelding van an@voorbeeld.be via “Aanmelden bij de Vlaamse overheid”"
    assert str(check.label).startswith(expected)


def test_a_member_added_in_the_portal_is_recorded_as_such(call):
    """The other way of acting for an organisation keeps its own wording: no sign-in named."""
    user = UserFactory()
    organisation = OrganisationFactory(owner=user)
    dossier = complete_dossier(call, organisation, user)

    submission = dossier_submit(dossier_id=dossier.pk, actor=user)

    assert json.loads(submission.snapshot)["representation"] == {"method": "portal"}
    check = next(c for c in checklist(dossier, submission) if c.code == "organisation_verified")
    assert not check.ok and "aanmelding" not in str(check.label).lower()
    assert "Vertegenwoordiging van de organisatie" not in _pdf_text(receipt_pdf(submission))
