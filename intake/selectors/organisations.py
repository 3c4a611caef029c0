"""Organisations the user acts for, their members and open invitations; and who belongs to
the agency (its groups), which decides the staff scopes elsewhere."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from intake.kernel.enums import ClaimKind, ClaimState, Role
from intake.kernel.roles import CALL_MANAGERS, REVIEWERS
from intake.models import Invitation, Membership, Organisation, OrganisationClaim, OrganisationEvidence
from intake.rules import registry


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


# --- Who acts for an organisation: evidence and claims ---------------------------------------


def registry_facts(organisation) -> dict | None:
    """What the enterprise register (the loaded KBO Open Data extract) holds on the
    organisation's number, as label → value rows for the call manager who verifies a
    claim; None when no extract is loaded (the page then says so)."""
    check = registry.applicant_check(organisation.enterprise_number)
    if check is None:
        return None
    facts, extract = check.facts, check.extract
    rows = {_("KBO extract"): f"{extract.extract_number} ({date_format(extract.snapshot_date, 'j F Y')})"}
    if facts.exists:
        rows |= {
            _("Registered name"): facts.name or "—",
            _("Registered seat"): str(facts.seat) if facts.seat else "—",
            _("Active"): _("yes") if facts.active else _("no"),
            _("Legal person"): _("yes") if facts.legal_person else _("no"),
        }
    rows[_("Outcome")] = _("meets the call's rules") if check.passed else " ".join(check.messages)
    return rows


def organisation_by_number(*, enterprise_number: str) -> Organisation:
    """The organisation a second claimant typed the number of. Its name is shown to them,
    as it is on the register; nothing else of it."""
    return get_object_or_404(Organisation, enterprise_number=enterprise_number)


def evidence_of(organisation):
    """The owners' own evidence (not a contesting claimant's), oldest first."""
    return organisation.evidence.filter(claim__isnull=True).select_related("uploaded_by")


def evidence_for_member(*, user, organisation, pk: int) -> OrganisationEvidence:
    return get_object_or_404(evidence_of(organisation).filter(organisation__in=organisations_for_user(user)), pk=pk)


def open_join_requests(organisation):
    return organisation.claims.filter(kind=ClaimKind.JOIN, state=ClaimState.OPEN).select_related("claimant")


def open_contests(organisation):
    return organisation.claims.filter(kind=ClaimKind.CONTEST, state=ClaimState.OPEN).select_related("claimant")


def join_request_for_owner(*, user, organisation, pk: int) -> OrganisationClaim:
    if not is_owner(user=user, organisation=organisation):
        raise Http404
    return get_object_or_404(open_join_requests(organisation), pk=pk)


def open_claim_of(*, user, organisation) -> OrganisationClaim | None:
    if not user.is_authenticated:
        return None
    return organisation.claims.filter(claimant=user, state=ClaimState.OPEN).first()
