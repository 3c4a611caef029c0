"""Submissions and receipts as the applicants see them (the agency's wider scope is
reviews.selectors), and the public check of a reference and hash."""

from django.shortcuts import get_object_or_404

from intake.kernel.enums import ReceiptStatus
from intake.models import Receipt, Submission
from intake.selectors.organisations import organisations_for_user


def submissions_for_member(user):
    """The submissions of the user's own organisations."""
    if not user.is_authenticated:
        return Submission.objects.none()
    return Submission.objects.filter(organisation__in=organisations_for_user(user))


def receipt_in(submissions, *, reference: str) -> Receipt:
    """The rendered receipt of ``reference`` among ``submissions`` (a scope), or 404."""
    return get_object_or_404(
        Receipt.objects.select_related("submission", "submission__call", "submission__organisation"),
        submission__in=submissions,
        submission__reference=reference,
        status=ReceiptStatus.RENDERED,
    )


def submission_matches(*, reference: str, sha256: str) -> bool:
    """Does the portal hold a submission with this reference and this snapshot hash? The
    answer is yes or no, and says nothing else (not even whether the reference exists)."""
    return Submission.objects.filter(reference=reference.strip().upper(), snapshot_sha256=sha256.strip().lower()).exists()
