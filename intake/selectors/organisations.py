"""Organisations the user acts for, their members and open invitations; and who belongs to
the agency (its groups), which decides the staff scopes elsewhere."""

from django.shortcuts import get_object_or_404

from intake.kernel.enums import Role
from intake.kernel.roles import CALL_MANAGERS, REVIEWERS
from intake.models import Invitation, Membership, Organisation


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


def is_call_manager(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.groups.filter(name=CALL_MANAGERS).exists())


def is_reviewer(user) -> bool:
    return user.is_authenticated and user.groups.filter(name=REVIEWERS).exists()


def is_agency(user) -> bool:
    # One query: the header asks this on every page a signed-in user sees.
    return user.is_authenticated and (user.is_superuser or user.groups.filter(name__in=(REVIEWERS, CALL_MANAGERS)).exists())
