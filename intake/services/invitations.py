"""Invitations: an owner invites a colleague by e-mail; the link works only for that address."""

import secrets

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from intake import deadlines
from intake.audit import audit_record
from intake.kernel.errors import DomainError, NotAllowed
from intake.kernel.formatting import format_brussels
from intake.messaging.outbox import outbox_enqueue
from intake.models import Invitation, Membership, Organisation
from intake.services.organisations import require_owner


@transaction.atomic
def invitation_create(*, organisation: Organisation, email: str, role: str, invited_by) -> Invitation:
    require_owner(organisation, invited_by)
    email = email.strip().lower()
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise DomainError(_("%(email)s is already a member of this organisation.") % {"email": email})
    invitation = Invitation.objects.create(
        organisation=organisation,
        email=email,
        role=role,
        invited_by=invited_by,
        token=secrets.token_urlsafe(32),
        expires_at=deadlines.invitation_valid_until(now=deadlines.clock()),
    )
    audit_record(actor=invited_by, action="invitation.created", obj=invitation, organisation=organisation, data={"email": email})
    outbox_enqueue(
        to=email,
        template="invitation",
        context={
            "invitation": invitation,
            "accept_url": settings.SITE_URL + reverse("intake:invitation_accept", kwargs={"token": invitation.token}),
        },
        language=translation.get_language() or "nl",
        dedupe_key=f"invitation:{invitation.pk}",
    )
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, user) -> Membership:
    invitation = Invitation.objects.select_for_update(of=("self",)).select_related("organisation").filter(token=token).first()
    if invitation is None or invitation.accepted_at is not None:
        raise DomainError(_("This invitation is no longer valid. Ask the owner to invite you again."))
    if deadlines.invitation_expired(invitation):
        raise DomainError(
            _("This invitation expired on %(moment)s. Ask the owner to invite you again.")
            % {"moment": format_brussels(invitation.expires_at)}
        )
    # The link is bound to the address it was sent to: a forwarded link does not let
    # someone else join.
    if invitation.email.lower() != (user.email or "").lower():
        raise NotAllowed(
            _("This invitation was sent to %(email)s. Sign in with that address to accept it.") % {"email": invitation.email}
        )
    membership, _created = Membership.objects.get_or_create(
        organisation=invitation.organisation, user=user, defaults={"role": invitation.role}
    )
    invitation.accepted_at = deadlines.clock()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(actor=user, action="invitation.accepted", obj=invitation, organisation=invitation.organisation)
    return membership


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor) -> None:
    require_owner(invitation.organisation, actor)
    audit_record(actor=actor, action="invitation.revoked", obj=invitation, organisation=invitation.organisation)
    invitation.delete()
