"""Reads for screens. Every queryset a view shows starts here, scoped to what the user
may see; an object outside that scope is a 404, not a 403, so its existence is not told."""

from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404

from intake import deadlines
from intake.enums import PREREGISTRATION_UNLOCKING_STATES, Role
from intake.models import Call, Invitation, Membership, Organisation, PolicyPriority, PreRegistration, Submission

# The agency's contact line from the seed text, used when no call is published yet.
DEFAULT_CONTACT = {
    "phone": "0800 20 555",
    "email": "clusters@vlaio.be",
    "url": "https://www.vlaio.be/nl/vlaio-netwerk/innovatieve-bedrijfsnetwerken",
}


def calls_published():
    return Call.objects.filter(is_published=True).prefetch_related(
        Prefetch("policy_priorities", queryset=PolicyPriority.objects.order_by("name"))
    )


def calls_for_home(*, now):
    """Published calls that are open or not yet open, earliest deadline first."""
    return calls_published().filter(**deadlines.not_closed_filter(now=now)).order_by("preregistration_deadline")


def calls_closed(*, now):
    return calls_published().exclude(**deadlines.not_closed_filter(now=now)).order_by("-dossier_deadline")


def call_get(*, slug: str) -> Call:
    return get_object_or_404(calls_published(), slug=slug)


def agency_contact() -> dict:
    call = (
        Call.objects.filter(is_published=True)
        .order_by("-preregistration_deadline")
        .values("contact_phone", "contact_email", "contact_url")
        .first()
    )
    if not call or not (call["contact_phone"] or call["contact_email"]):
        return DEFAULT_CONTACT
    return {"phone": call["contact_phone"], "email": call["contact_email"], "url": call["contact_url"]}


def organisations_for_user(user):
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(memberships__user=user).distinct()


def organisation_for_user(*, user, pk: int) -> Organisation:
    return get_object_or_404(organisations_for_user(user), pk=pk)


def role_of(*, user, organisation) -> str | None:
    return Membership.objects.filter(user=user, organisation=organisation).values_list("role", flat=True).first()


def is_owner(*, user, organisation) -> bool:
    return role_of(user=user, organisation=organisation) == Role.OWNER


def memberships_of(organisation):
    return organisation.memberships.select_related("user").order_by("role", "user__email")


def invitations_open(organisation):
    return organisation.invitations.filter(accepted_at__isnull=True)


def membership_for_owner(*, user, organisation, pk: int) -> Membership:
    return get_object_or_404(
        Membership.objects.filter(organisation__in=organisations_for_user(user), organisation=organisation), pk=pk
    )


def invitation_for_owner(*, user, organisation, pk: int) -> Invitation:
    return get_object_or_404(invitations_open(organisation).filter(organisation__in=organisations_for_user(user)), pk=pk)


def invitation_by_token(*, token: str) -> Invitation:
    return get_object_or_404(Invitation.objects.select_related("organisation"), token=token, accepted_at__isnull=True)


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


def dossier_unlocked(*, call, organisation) -> bool:
    """The full dossier exists for an organisation only after its pre-registration for the
    same call is submitted (DESIGN.md §4), checked on every request."""
    return PreRegistration.objects.filter(
        call=call, organisation=organisation, state__in=PREREGISTRATION_UNLOCKING_STATES
    ).exists()


def dossier_submissions(dossier):
    return dossier.submissions.select_related("submitted_by", "receipt").order_by("-version")


def is_call_manager(user) -> bool:
    from intake.roles import CALL_MANAGERS

    return user.is_authenticated and (user.is_superuser or user.groups.filter(name=CALL_MANAGERS).exists())


def submissions_for_user(user, *, second_factor: bool = False):
    """Submissions a user may see: their own organisations'; and, for the agency's staff
    signed in with a second factor, all (call managers) or those of the calls and dossiers
    assigned to them (reviewers), never one they declared a conflict of interest with."""
    if not user.is_authenticated:
        return Submission.objects.none()
    own = Q(organisation__in=organisations_for_user(user))
    if not second_factor:
        return Submission.objects.filter(own)
    if is_call_manager(user):
        return Submission.objects.all()
    from reviews.access import is_reviewer
    from reviews.models import ConflictDeclaration, ReviewerAssignment

    if not is_reviewer(user):
        return Submission.objects.filter(own)
    assigned = ReviewerAssignment.objects.filter(reviewer=user)
    conflicted = ConflictDeclaration.objects.filter(reviewer=user, has_conflict=True).values("dossier")
    reviewed = (
        (
            Q(call__in=assigned.filter(dossier__isnull=True).values("call"))
            | Q(dossier__in=assigned.filter(dossier__isnull=False).values("dossier"))
            | Q(preregistration__dossier__in=assigned.filter(dossier__isnull=False).values("dossier"))
        )
        & ~Q(dossier__in=conflicted)
        & ~Q(preregistration__dossier__in=conflicted)
    )
    return Submission.objects.filter(own | reviewed).distinct()


def receipt_for_user(*, user, reference: str, second_factor: bool = False):
    from intake.models import Receipt

    return get_object_or_404(
        Receipt.objects.select_related("submission", "submission__call", "submission__organisation"),
        submission__in=submissions_for_user(user, second_factor=second_factor),
        submission__reference=reference,
        status="rendered",
    )
