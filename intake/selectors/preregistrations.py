"""Pre-registrations as their organisation's members see them."""

from intake.kernel.enums import PREREGISTRATION_UNLOCKING_STATES
from intake.models import PreRegistration, Submission
from intake.selectors.organisations import organisations_for_user


def preregistrations_for_user(user):
    return PreRegistration.objects.filter(organisation__in=organisations_for_user(user)).select_related(
        "call", "organisation", "policy_priority"
    )


def preregistration_of(*, call, organisation) -> PreRegistration | None:
    return (
        PreRegistration.objects.select_related("call", "organisation", "policy_priority", "updated_by")
        .filter(call=call, organisation=organisation)
        .first()
    )


def preregistration_submissions(preregistration):
    if preregistration is None or preregistration.pk is None:
        return Submission.objects.none()
    return preregistration.submissions.select_related("submitted_by", "receipt").order_by("-version")


def unlocks_dossier(preregistration) -> bool:
    return preregistration is not None and preregistration.state in PREREGISTRATION_UNLOCKING_STATES


def dossier_unlocked(*, call, organisation) -> bool:
    """The full dossier exists for an organisation only after its pre-registration for the
    same call is submitted (DESIGN.md §4), checked on every request."""
    return PreRegistration.objects.filter(
        call=call, organisation=organisation, state__in=PREREGISTRATION_UNLOCKING_STATES
    ).exists()
