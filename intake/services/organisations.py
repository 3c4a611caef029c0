"""Applicant organisations and their members."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from intake.audit import audit_record
from intake.kernel.enums import Role
from intake.kernel.errors import DomainError, NotAllowed, NotInRegistry, OrganisationExists
from intake.models import Membership, Organisation
from intake.rules.registry import applicant_check


def require_owner(organisation, user) -> None:
    if not Membership.objects.filter(organisation=organisation, user=user, role=Role.OWNER).exists():
        raise NotAllowed(_("Only an owner of the organisation can do this."))


def organisation_create(*, user, data: dict) -> Organisation:
    """Create the applicant organisation with ``user`` as its owner. One enterprise number
    is one organisation: a second attempt raises OrganisationExists, never a copy. With a
    KBO extract loaded, the number must be an active legal person there (NotInRegistry)."""
    check = applicant_check(data["enterprise_number"])
    if check is not None and not check.passed:
        raise NotInRegistry(check.messages)
    existing = Organisation.objects.filter(enterprise_number=data["enterprise_number"]).first()
    if existing is not None:
        raise OrganisationExists(existing)
    try:
        with transaction.atomic():
            organisation = Organisation.objects.create(**data)
            Membership.objects.create(organisation=organisation, user=user, role=Role.OWNER)
            audit_record(actor=user, action="organisation.created", obj=organisation, organisation=organisation)
    except IntegrityError:
        # Someone registered the same number between our check and our insert.
        raise OrganisationExists(Organisation.objects.get(enterprise_number=data["enterprise_number"])) from None
    return organisation


def organisation_update(*, organisation: Organisation, data: dict, actor) -> Organisation:
    require_owner(organisation, actor)
    for field, value in data.items():
        setattr(organisation, field, value)
    organisation.save(update_fields=list(data))
    audit_record(actor=actor, action="organisation.updated", obj=organisation, organisation=organisation)
    return organisation


@transaction.atomic
def membership_remove(*, membership: Membership, actor) -> None:
    organisation = Organisation.objects.select_for_update().get(pk=membership.organisation_id)
    require_owner(organisation, actor)
    if membership.role == Role.OWNER and organisation.memberships.filter(role=Role.OWNER).count() == 1:
        raise DomainError(_("An organisation keeps at least one owner. Make someone else owner first."))
    audit_record(
        actor=actor, action="membership.removed", obj=membership, organisation=organisation, data={"user": membership.user.email}
    )
    membership.delete()
