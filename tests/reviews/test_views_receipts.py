"""The receipt download (/receipts/<reference>/, reviews.views.receipt_download): the
organisation's members, and the agency's staff with the second factor within their scope,
get the PDF as an attachment, audited; everyone else a 404 (anonymous visitors: the login)."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.urls import reverse

from intake.kernel.enums import ReceiptStatus, Role
from intake.kernel.roles import CALL_MANAGERS, REVIEWERS
from intake.messaging.receipts import receipt_produce
from intake.models import AuditEvent, Membership, Receipt
from reviews.models import ConflictDeclaration, ReviewerAssignment
from tests.auth import sign_in
from tests.factories import CallFactory, OrganisationFactory, UserFactory
from tests.intake.dossier_helpers import complete_dossier
from tests.intake.receipt_helpers import SUBMITTED, download_url, pdf_bytes_of, receipt_call, receipt_organisation

pytestmark = [receipt_call, receipt_organisation]


def in_group(name: str):
    user = UserFactory()
    user.groups.add(Group.objects.get(name=name))
    return user


def test_receipt_download_by_member_is_the_pdf_as_attachment_and_audited(client, user, submission, receipt):
    client.force_login(user)

    response = client.get(download_url(submission.reference))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert f'filename="{submission.reference}.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == pdf_bytes_of(receipt)
    event = AuditEvent.objects.get(action="receipt.downloaded")
    assert event.actor == user
    assert (event.object_type, event.object_id) == ("receipt", str(receipt.pk))
    assert event.organisation == submission.organisation
    assert event.call == submission.call
    assert event.data == {"reference": submission.reference}


@pytest.mark.parametrize("who", ["editor", "reviewer", "call manager", "superuser"])
def test_receipt_download_allowed(client, organisation, submission, receipt, who):
    if who == "editor":
        visitor = UserFactory()
        Membership.objects.create(organisation=organisation, user=visitor, role=Role.EDITOR)
    elif who == "reviewer":  # a reviewer assigned to this call
        visitor = in_group(REVIEWERS)
        ReviewerAssignment.objects.create(call=submission.call, reviewer=visitor)
    elif who == "call manager":
        visitor = in_group(CALL_MANAGERS)
    else:
        visitor = UserFactory(is_staff=True, is_superuser=True)
    if who == "editor":
        client.force_login(visitor)
    else:
        sign_in(client, visitor)  # the agency's staff: only with the second factor

    response = client.get(download_url(submission.reference))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == pdf_bytes_of(receipt)
    assert AuditEvent.objects.get(action="receipt.downloaded").actor == visitor


@pytest.mark.parametrize("who", ["reviewer", "call manager"])
def test_receipt_download_by_staff_without_the_second_factor_is_404(client, submission, receipt, who):
    if who == "reviewer":
        visitor = in_group(REVIEWERS)
        ReviewerAssignment.objects.create(call=submission.call, reviewer=visitor)
    else:
        visitor = in_group(CALL_MANAGERS)
    client.force_login(visitor)  # password only

    assert client.get(download_url(submission.reference)).status_code == 404


def test_receipt_download_by_a_reviewer_with_a_conflict_is_404(client, submission, receipt, organisation, user):
    """A reviewer assigned to one dossier of the call does not get another organisation's
    receipt, nor (after declaring a conflict) the receipts of their own dossier."""
    reviewer = in_group(REVIEWERS)
    other_org = OrganisationFactory(owner=UserFactory())
    with time_machine.travel(SUBMITTED - timedelta(hours=1), tick=False):
        dossier = complete_dossier(submission.call, other_org, other_org.memberships.get().user)
    ReviewerAssignment.objects.create(call=submission.call, reviewer=reviewer, dossier=dossier)
    sign_in(client, reviewer)

    assert client.get(download_url(submission.reference)).status_code == 404  # not their dossier
    prereg = dossier.preregistration.submissions.get()
    assert receipt_produce(submission_id=prereg.pk).status == ReceiptStatus.RENDERED
    assert client.get(download_url(prereg.reference)).status_code == 200  # their dossier
    ConflictDeclaration.objects.create(dossier=dossier, reviewer=reviewer, has_conflict=True)
    assert client.get(download_url(prereg.reference)).status_code == 404  # conflicted


def test_receipt_download_by_a_reviewer_of_another_call_is_404(client, submission, receipt):
    reviewer = in_group(REVIEWERS)
    ReviewerAssignment.objects.create(call=CallFactory(), reviewer=reviewer)
    client.force_login(reviewer)

    assert client.get(download_url(submission.reference)).status_code == 404


def test_receipt_download_by_another_applicant_is_404(client, submission, receipt):
    stranger = UserFactory()
    OrganisationFactory(owner=stranger)
    client.force_login(stranger)

    response = client.get(download_url(submission.reference))

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="receipt.downloaded").exists()


def test_receipt_download_anonymous_is_sent_to_login(client, submission, receipt):
    response = client.get(download_url(submission.reference))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "next=" in response["Location"]
    assert not AuditEvent.objects.filter(action="receipt.downloaded").exists()


def test_receipt_download_unknown_reference_is_404(client, user, receipt):
    client.force_login(user)

    assert client.get(download_url("IBN4-VA-9999")).status_code == 404


def test_receipt_download_before_it_is_rendered_is_404(client, user, submit, call, organisation):
    submission = submit(call, organisation, user, run_tasks=False)
    assert Receipt.objects.get(submission=submission).status == ReceiptStatus.PENDING
    client.force_login(user)

    assert client.get(download_url(submission.reference)).status_code == 404
