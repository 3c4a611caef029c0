"""Nobody owns an enterprise number by typing it first (issue 14, item 4), through the
applicant's pages: a new organisation is unverified and says so; its members add evidence
(a PDF judged by the upload rules); a second person who types the same number can ask to
join (the owners accept) or contest the claim with evidence (a call manager decides)."""

import pytest
from django.urls import reverse

from intake.kernel.enums import ClaimKind, ClaimState, Role, VerificationState
from intake.models import AuditEvent, Membership, Organisation, OrganisationClaim, OrganisationEvidence, OutboxMessage
from intake.rules.snapshots import snapshot_of
from tests.factories import CallFactory, OrganisationFactory, UserFactory
from tests.intake.dossier_helpers import submitted_preregistration
from tests.intake.file_helpers import EXE, pdf_bytes, stored_files, upload, use_storage
from tests.intake.pdf_builders import document_javascript
from tests.intake.web.views.test_organisations import organisation_post_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    use_storage(settings, tmp_path)
    return tmp_path


@pytest.fixture
def owner():
    return UserFactory(email="eigenaar@cluster.example.org")


@pytest.fixture
def claimed(owner):
    return OrganisationFactory(owner=owner, name="Bestaande Cluster vzw", enterprise_number="0403019261")


@pytest.fixture
def second(client):
    user = UserFactory(email="tweede@cluster.example.org")
    client.force_login(user)
    return user


def claim_url(organisation):
    return reverse("intake:organisation_claim", kwargs={"enterprise_number": organisation.enterprise_number})


def test_a_new_organisation_is_unverified_and_its_page_says_so(logged_in_client):
    response = logged_in_client.post(reverse("intake:organisation_create"), organisation_post_data(), follow=True)

    organisation = Organisation.objects.get()
    assert organisation.verification_state == VerificationState.UNVERIFIED
    assert "Nog niet geverifieerd door VLAIO" in response.content.decode()


def test_a_second_claimant_is_offered_to_join_or_contest_instead_of_asking_the_owner(client, claimed, second):
    response = client.post(
        reverse("intake:organisation_create"), organisation_post_data(name="Kopie vzw", enterprise_number="0403.019.261")
    )

    page = response.content.decode()
    assert Organisation.objects.count() == 1
    assert claim_url(claimed) in page
    assert "Vraag om lid te worden" in page
    assert "Betwist deze claim" in page


def test_join_request_is_audited_and_mailed_to_the_owners(client, claimed, owner, second):
    response = client.post(claim_url(claimed), {"kind": "join", "join-motivation": "Ik ben de coördinator."}, follow=True)

    claim = OrganisationClaim.objects.get()
    assert (claim.kind, claim.state, claim.claimant) == (ClaimKind.JOIN, ClaimState.OPEN, second)
    assert not Membership.objects.filter(user=second).exists()
    assert AuditEvent.objects.filter(action="claim.join_requested", organisation=claimed, actor=second).exists()
    mail = OutboxMessage.objects.get(to=owner.email)
    assert second.email in mail.body_text
    # The page now says the request waits, and offers no second one.
    assert response.context["open_claim"] == claim
    assert 'name="kind"' not in response.content.decode()


def test_a_second_join_request_of_the_same_person_makes_no_second_claim(client, claimed, second):
    client.post(claim_url(claimed), {"kind": "join"})
    client.post(claim_url(claimed), {"kind": "join"})

    assert OrganisationClaim.objects.count() == 1


def test_owner_accepts_a_join_request_and_the_claimant_becomes_editor(client, claimed, owner, second):
    client.post(claim_url(claimed), {"kind": "join"})
    claim = OrganisationClaim.objects.get()
    client.force_login(owner)

    page = client.get(claimed.get_absolute_url()).content.decode()
    assert second.email in page
    client.post(reverse("intake:join_request_decide", kwargs={"pk": claimed.pk, "claim_pk": claim.pk}), {"decision": "member"})

    claim.refresh_from_db()
    assert claim.state == ClaimState.ACCEPTED
    assert Membership.objects.get(organisation=claimed, user=second).role == Role.EDITOR
    assert AuditEvent.objects.filter(action="claim.accepted", actor=owner).exists()
    assert OutboxMessage.objects.filter(to=second.email).exists()


def test_an_editor_cannot_decide_a_join_request(client, claimed, second):
    editor = UserFactory()
    Membership.objects.create(organisation=claimed, user=editor, role=Role.EDITOR)
    client.post(claim_url(claimed), {"kind": "join"})
    claim = OrganisationClaim.objects.get()
    client.force_login(editor)

    response = client.post(
        reverse("intake:join_request_decide", kwargs={"pk": claimed.pk, "claim_pk": claim.pk}), {"decision": "member"}
    )

    assert response.status_code == 404
    assert OrganisationClaim.objects.get().state == ClaimState.OPEN


def test_an_owner_cannot_transfer_ownership_through_a_join_request(client, claimed, owner, second):
    client.post(claim_url(claimed), {"kind": "join"})
    claim = OrganisationClaim.objects.get()
    client.force_login(owner)

    client.post(reverse("intake:join_request_decide", kwargs={"pk": claimed.pk, "claim_pk": claim.pk}), {"decision": "transfer"})

    assert OrganisationClaim.objects.get().state == ClaimState.OPEN
    assert not Membership.objects.filter(user=second).exists()


def test_contest_needs_evidence(client, claimed, second):
    response = client.post(claim_url(claimed), {"kind": "contest", "contest-motivation": "Wij zijn de echte vzw."})

    assert response.status_code == 400
    assert response.context["contest_form"].has_error("file")
    assert not OrganisationClaim.objects.exists()


def test_contest_with_evidence_is_stored_audited_and_mailed(client, claimed, owner, second, private_storage):
    response = client.post(
        claim_url(claimed),
        {"kind": "contest", "contest-motivation": "Wij zijn de echte vzw.", "contest-file": upload("statuten.pdf", pdf_bytes())},
    )

    assert response.status_code == 302
    claim = OrganisationClaim.objects.get()
    assert claim.kind == ClaimKind.CONTEST
    evidence = OrganisationEvidence.objects.get()
    assert (evidence.claim, evidence.original_name, evidence.uploaded_by) == (claim, "statuten.pdf", second)
    assert len(stored_files(private_storage)) == 1
    assert AuditEvent.objects.filter(action="claim.contested", actor=second).exists()
    assert AuditEvent.objects.filter(action="evidence.uploaded", actor=second).exists()
    assert OutboxMessage.objects.filter(to=owner.email).exists()
    # The owners keep everything until a call manager decides.
    assert Membership.objects.get(organisation=claimed, user=owner).role == Role.OWNER


def test_contest_with_a_file_that_is_no_pdf_is_refused_and_nothing_is_kept(client, claimed, second, private_storage):
    response = client.post(
        claim_url(claimed), {"kind": "contest", "contest-motivation": "x", "contest-file": upload("statuten.pdf", EXE)}
    )

    assert response.status_code == 400
    assert response.context["contest_form"].has_error("file")
    assert not OrganisationClaim.objects.exists()
    assert not OrganisationEvidence.objects.exists()
    assert stored_files(private_storage) == []


def test_member_uploads_evidence_and_downloads_it(logged_in_client, organisation, private_storage):
    data = pdf_bytes(text="mandaat")
    response = logged_in_client.post(
        reverse("intake:evidence_upload", kwargs={"pk": organisation.pk}), {"file": upload("mandaat.pdf", data)}
    )

    assert response.status_code == 302
    evidence = OrganisationEvidence.objects.get(organisation=organisation)
    download = logged_in_client.get(
        reverse("intake:evidence_download", kwargs={"pk": organisation.pk, "evidence_pk": evidence.pk})
    )
    assert b"".join(download.streaming_content) == data
    assert download["Cache-Control"] == "private, no-store"
    assert AuditEvent.objects.filter(action="evidence.uploaded", organisation=organisation).exists()


def test_evidence_with_active_content_is_refused(logged_in_client, organisation):
    response = logged_in_client.post(
        reverse("intake:evidence_upload", kwargs={"pk": organisation.pk}),
        {"file": upload("mandaat.pdf", pdf_bytes(change=document_javascript))},
    )

    assert response.status_code == 400
    assert response.context["evidence_form"].has_error("file")
    assert not OrganisationEvidence.objects.exists()


def test_evidence_over_the_size_bound_is_refused(logged_in_client, organisation, settings):
    settings.ORGANISATION_EVIDENCE_MAX_MB = 1
    response = logged_in_client.post(
        reverse("intake:evidence_upload", kwargs={"pk": organisation.pk}),
        {"file": upload("mandaat.pdf", pdf_bytes(size=1024 * 1024 + 1))},
    )

    assert response.status_code == 400
    assert response.context["evidence_form"].has_error("file")
    assert "1 MB" in response.content.decode()


def test_another_organisations_evidence_is_a_404(client, organisation):
    evidence_owner = UserFactory()
    other = OrganisationFactory(owner=evidence_owner)
    client.force_login(evidence_owner)
    client.post(reverse("intake:evidence_upload", kwargs={"pk": other.pk}), {"file": upload("m.pdf", pdf_bytes())})
    evidence = OrganisationEvidence.objects.get()
    client.force_login(organisation.memberships.get().user)

    response = client.get(reverse("intake:evidence_download", kwargs={"pk": other.pk, "evidence_pk": evidence.pk}))

    assert response.status_code == 404


def test_an_unverified_organisation_submits_and_the_snapshot_says_it_was_unverified(user, organisation):
    call = CallFactory()

    preregistration = submitted_preregistration(call, organisation, user)

    snapshot = snapshot_of(preregistration.submissions.get())
    assert snapshot["organisation"]["verification"] == VerificationState.UNVERIFIED


def test_the_list_of_my_organisations_says_which_are_not_yet_verified(logged_in_client, organisation):
    page = logged_in_client.get(reverse("intake:organisation_list")).content.decode()

    assert organisation.name in page
    assert "Nog niet geverifieerd door VLAIO" in page
