"""The call manager's verification page (issue 14, item 4): claimant, evidence, the
registry hook and the verdict on one page; Verify / Reject with a note, audited and mailed;
a contested claim decided: keep, transfer ownership, or add as member."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from intake.kernel.enums import ClaimKind, ClaimState, Role, VerificationState
from intake.kernel.errors import NotAllowed
from intake.kernel.roles import CALL_MANAGERS, REVIEWERS
from intake.models import AuditEvent, Membership, OrganisationClaim, OutboxMessage
from intake.rules.registry import registry_facts as registry_facts_of
from intake.services import verification
from intake.services.registry import registry_import
from tests.auth import sign_in
from tests.factories import OrganisationFactory, UserFactory
from tests.intake import registry_helpers as kbo
from tests.intake.file_helpers import pdf_bytes, upload, use_storage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    use_storage(settings, tmp_path)


@pytest.fixture
def manager(client):
    user = UserFactory(is_staff=True, email="beheerder@vlaio.example")
    user.groups.add(Group.objects.get(name=CALL_MANAGERS))
    sign_in(client, user)
    return user


@pytest.fixture
def owner():
    return UserFactory(email="eigenaar@cluster.example.org")


@pytest.fixture
def organisation(owner):
    organisation = OrganisationFactory(owner=owner, name="Slimme Warmte vzw")
    verification.evidence_upload(organisation=organisation, uploaded_file=upload("statuten.pdf", pdf_bytes()), actor=owner)
    return organisation


def page_url(organisation):
    return reverse("admin:intake_organisation_verification", args=[organisation.pk])


def test_the_page_shows_claimant_evidence_and_the_registry_hook(client, manager, organisation, owner):
    response = client.get(page_url(organisation))

    page = response.content.decode()
    assert response.status_code == 200
    assert owner.email in page
    assert "statuten.pdf" in page
    assert "Nog niet geverifieerd door VLAIO" in page
    # No registry connected yet: the page says where to look instead.
    assert "Er is geen KBO-extract geladen" in page


def test_the_page_shows_what_the_loaded_register_says(client, manager, owner, tmp_path):
    """With a KBO extract loaded, the facts of the claimed number stand beside the claim."""
    registry_import(path=kbo.full_zip(tmp_path))
    claimed = OrganisationFactory(owner=owner, enterprise_number=kbo.canonical(kbo.LEGAL), name="Getypte naam vzw")

    page = client.get(page_url(claimed)).content.decode()

    assert "Er is geen KBO-extract geladen" not in page
    assert "KBO-uittreksel" in page and "140" in page
    facts = registry_facts_of([kbo.canonical(kbo.LEGAL)])[kbo.canonical(kbo.LEGAL)]
    assert facts.name in page and str(facts.seat) in page
    assert "voldoet aan de regels van de oproep" in page


def test_the_manager_downloads_the_evidence(client, manager, organisation):
    evidence = organisation.evidence.get()

    response = client.get(reverse("admin:intake_organisation_evidence", args=[organisation.pk, evidence.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == evidence.file.open("rb").read()
    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]


def test_verify_with_a_note_is_audited_and_mailed(client, manager, organisation, owner):
    client.post(page_url(organisation), {"action": "verify", "note": "Statuten in orde."})

    organisation.refresh_from_db()
    assert organisation.verification_state == VerificationState.VERIFIED
    assert (organisation.verified_by, organisation.verification_note) == (manager, "Statuten in orde.")
    event = AuditEvent.objects.get(action="organisation.verified")
    assert (event.actor, event.from_state, event.to_state, event.note) == (manager, "unverified", "verified", "Statuten in orde.")
    assert OutboxMessage.objects.filter(to=owner.email, template="organisation_verdict").exists()


def test_reject_needs_a_note(client, manager, organisation):
    client.post(page_url(organisation), {"action": "reject", "note": ""})

    organisation.refresh_from_db()
    assert organisation.verification_state == VerificationState.UNVERIFIED


def test_reject_with_a_note_is_audited_and_the_members_read_it(client, manager, organisation, owner):
    client.post(page_url(organisation), {"action": "reject", "note": "Het mandaat is niet ondertekend."})

    organisation.refresh_from_db()
    assert organisation.verification_state == VerificationState.REJECTED
    assert AuditEvent.objects.filter(action="organisation.rejected", actor=manager).exists()
    client.force_login(owner)
    assert "Het mandaat is niet ondertekend." in client.get(organisation.get_absolute_url()).content.decode()


def test_a_reviewer_cannot_verify(client, organisation):
    reviewer = UserFactory(is_staff=True)
    reviewer.groups.add(Group.objects.get(name=REVIEWERS))
    sign_in(client, reviewer)

    client.post(page_url(organisation), {"action": "verify", "note": ""})

    organisation.refresh_from_db()
    assert organisation.verification_state == VerificationState.UNVERIFIED


@pytest.fixture
def contest(organisation):
    claimant = UserFactory(email="echte@cluster.example.org")
    return verification.claim_create(
        organisation=organisation,
        claimant=claimant,
        kind=ClaimKind.CONTEST,
        motivation="Wij zijn de echte vzw.",
        uploaded_file=upload("mandaat-echte.pdf", pdf_bytes(text="echt")),
    )


def test_the_page_shows_the_contest_and_its_evidence(client, manager, organisation, contest):
    page = client.get(page_url(organisation)).content.decode()

    assert contest.claimant.email in page
    assert "mandaat-echte.pdf" in page
    assert "Wij zijn de echte vzw." in page


def test_contest_decided_keep(client, manager, organisation, owner, contest):
    client.post(page_url(organisation), {"action": f"claim-{contest.pk}-keep", "note": "Geen bewijs van vertegenwoordiging."})

    contest.refresh_from_db()
    assert contest.state == ClaimState.REFUSED
    assert Membership.objects.get(organisation=organisation, user=owner).role == Role.OWNER
    assert not Membership.objects.filter(user=contest.claimant).exists()
    assert AuditEvent.objects.filter(action="claim.refused", actor=manager).exists()
    assert OutboxMessage.objects.filter(to=contest.claimant.email, template="claim_decided").exists()


def test_contest_decided_transfer_makes_the_claimant_owner_and_the_organisation_unverified(
    client, manager, organisation, owner, contest
):
    client.post(page_url(organisation), {"action": "verify", "note": ""})

    client.post(page_url(organisation), {"action": f"claim-{contest.pk}-transfer", "note": "Statuten tonen het."})

    contest.refresh_from_db()
    organisation.refresh_from_db()
    assert contest.state == ClaimState.TRANSFERRED
    assert Membership.objects.get(organisation=organisation, user=contest.claimant).role == Role.OWNER
    assert Membership.objects.get(organisation=organisation, user=owner).role == Role.EDITOR
    # The verification was of the former owners' claim: the new one is verified anew.
    assert organisation.verification_state == VerificationState.UNVERIFIED
    assert AuditEvent.objects.filter(action="claim.transferred").exists()
    assert AuditEvent.objects.filter(action="organisation.unverified").exists()


def test_contest_decided_add_as_member(client, manager, organisation, owner, contest):
    client.post(page_url(organisation), {"action": f"claim-{contest.pk}-member", "note": ""})

    contest.refresh_from_db()
    assert contest.state == ClaimState.ACCEPTED
    assert Membership.objects.get(organisation=organisation, user=contest.claimant).role == Role.EDITOR
    assert Membership.objects.get(organisation=organisation, user=owner).role == Role.OWNER


def test_an_owner_cannot_decide_a_contest(organisation, owner, contest):
    with pytest.raises(NotAllowed):
        verification.claim_decide(claim_id=contest.pk, actor=owner, decision=verification.KEEP)

    assert OrganisationClaim.objects.get().state == ClaimState.OPEN


def test_a_claim_is_decided_once(client, manager, organisation, contest):
    client.post(page_url(organisation), {"action": f"claim-{contest.pk}-keep", "note": ""})
    client.post(page_url(organisation), {"action": f"claim-{contest.pk}-transfer", "note": ""})

    assert OrganisationClaim.objects.get().state == ClaimState.REFUSED
    assert not Membership.objects.filter(user=contest.claimant).exists()


def test_the_changelist_filters_by_verification(client, manager, organisation):
    response = client.get(reverse("admin:intake_organisation_changelist") + "?verification_state__exact=unverified")

    assert organisation.name in response.content.decode()
