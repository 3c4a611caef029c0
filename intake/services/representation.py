"""Who acts for an organisation, as a sign-in through an identity provider says (issue 15).

The government's identity service tells, at every sign-in, for which enterprises the
person holds a role (the enterprise's own access manager gave it). That is stronger
evidence than anything typed in the portal, so it makes the person a member of the
enterprise's organisation and the organisation verified, without a call manager's step;
and what it no longer says ends what it said before, at the next sign-in, audited."""

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from intake import deadlines
from intake.audit import audit_record
from intake.kernel.enums import Role, VerificationState
from intake.kernel.validators import format_enterprise_number
from intake.models import Membership, Organisation
from intake.rules.registry import applicant_check, registered_prefill
from intake.workflow import organisation_verification_transition


@dataclass(frozen=True)
class Asserted:
    """One enterprise the sign-in asserts, and the role it names."""

    enterprise_number: str  # canonical, 10 digits
    role: str
    name: str = ""  # the organisation's name if the login carries it


@dataclass
class Outcome:
    joined: list[Organisation] = field(default_factory=list)  # new memberships
    kept: list[Organisation] = field(default_factory=list)
    ended: list[Organisation] = field(default_factory=list)
    refused: list[tuple[str, list[str]]] = field(default_factory=list)  # (number, registry problems)


def _organisation_for(asserted: Asserted, user) -> tuple[Organisation | None, list[str]]:
    """The organisation of the asserted number, created if the portal has none: from the
    register's facts when an extract is loaded (and only for an active legal person, as
    for an organisation typed in), else with what the login gives, for the owner to
    complete."""
    existing = Organisation.objects.select_for_update().filter(enterprise_number=asserted.enterprise_number).first()
    if existing is not None:
        return existing, []
    check = applicant_check(asserted.enterprise_number)
    if check is not None and not check.passed:
        return None, check.messages
    prefill = registered_prefill(check.facts) if check is not None else {}
    organisation = Organisation.objects.create(
        enterprise_number=asserted.enterprise_number,
        # Without a register or a name in the login, named by its number until the owner
        # fills in the legal name (the organisation page asks for it).
        name=prefill.get("name")
        or asserted.name
        or _("Enterprise %(number)s") % {"number": format_enterprise_number(asserted.enterprise_number)},
        street=prefill.get("street", ""),
        postal_code=prefill.get("postal_code", ""),
        municipality=prefill.get("municipality", ""),
        has_legal_personality=check is not None,  # the register said so; else the owner confirms
        contact_name=user.get_full_name() or user.email,
        contact_email=user.email,
    )
    audit_record(actor=user, action="organisation.created", obj=organisation, organisation=organisation, data={"from": "login"})
    return organisation, []


@transaction.atomic
def representation_from_login(*, user, provider: str, provider_name: str, subject: str, asserted: list[Asserted]) -> Outcome:
    """Bring ``user``'s memberships that ``provider`` asserts to what this sign-in asserts.

    Each asserted enterprise: the person becomes (or stays) a member, recorded as asserted
    by this provider, this subject and role, now; the organisation becomes verified (the
    audit says by which sign-in). Each membership this provider asserted before and no
    longer does ends, audited. Memberships added in the portal (invitations, the first
    claimant) are left alone: a sign-in speaks only for what a sign-in said."""
    now = deadlines.clock()
    outcome = Outcome()
    wanted: set[int] = set()
    for item in asserted:
        organisation, problems = _organisation_for(item, user)
        if organisation is None:
            outcome.refused.append((item.enterprise_number, problems))
            continue
        wanted.add(organisation.pk)
        membership = Membership.objects.filter(organisation=organisation, user=user).first()
        evidence = {"provider": provider, "subject": subject, "role": item.role}
        if membership is None:
            membership = Membership.objects.create(organisation=organisation, user=user, role=Role.OWNER)
            audit_record(
                actor=user,
                action="membership.asserted",
                obj=membership,
                organisation=organisation,
                data={"user": user.email, **evidence},
            )
            outcome.joined.append(organisation)
        else:
            if membership.login_provider != provider or membership.login_role != item.role:
                audit_record(
                    actor=user,
                    action="membership.asserted",
                    obj=membership,
                    organisation=organisation,
                    data={"user": user.email, **evidence},
                )
            outcome.kept.append(organisation)
        membership.login_provider, membership.login_subject = provider, subject
        membership.login_role, membership.login_asserted_at = item.role, now
        membership.save(update_fields=["login_provider", "login_subject", "login_role", "login_asserted_at"])
        if organisation.verification_state != VerificationState.VERIFIED:
            organisation_verification_transition(
                organisation,
                VerificationState.VERIFIED,
                actor=user,
                note=_("Established by the sign-in through “%(provider)s” (role %(role)s).")
                % {"provider": provider_name, "role": item.role},
                data={"method": "login", "user": user.email, "provider_name": provider_name, **evidence},
                action="organisation.verified_by_login",
            )
    for membership in (
        Membership.objects.select_related("organisation")
        .filter(user=user, login_provider=provider)
        .exclude(organisation_id__in=wanted)
    ):
        audit_record(
            actor=user,
            action="membership.ended",
            obj=membership,
            organisation=membership.organisation,
            note=_("The sign-in through “%(provider)s” no longer says this person acts for the organisation.")
            % {"provider": provider_name},
            data={"user": user.email, "provider": provider, "subject": subject, "role": membership.login_role},
        )
        outcome.ended.append(membership.organisation)
        membership.delete()
    return outcome


def representation_of(organisation_id: int, user) -> dict:
    """How ``user``'s acting for the organisation was established, as a submission's
    snapshot records it: by a sign-in (which provider, role, when it last said so), or by
    the organisation's verification (intake.rules.snapshots keeps that next to it)."""
    membership = (
        Membership.objects.filter(organisation_id=organisation_id, user=user)
        .only("login_provider", "login_role", "login_asserted_at")
        .first()
    )
    if membership is None or not membership.login_provider:
        return {"method": "portal"}
    names = {provider.id: provider.name for provider in settings.IDENTITY_PROVIDERS}
    return {
        "method": "login",
        "provider": membership.login_provider,
        "provider_name": names.get(membership.login_provider, membership.login_provider),
        "role": membership.login_role,
        "asserted_at": membership.login_asserted_at,
    }
