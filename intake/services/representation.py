"""Who acts for an organisation, as a sign-in through an identity provider says (issue 15).

The government's identity service tells, at every sign-in, for which enterprises the
person holds a role (the enterprise's own access manager gave it). That is stronger
evidence of the person's own representation than anything typed in the portal, so it
makes them a member of the enterprise's organisation without a call manager's step, and
what it no longer says ends what it said before, at the next sign-in, audited.

It speaks for the signed-in person only. It verifies the organisation only when every
owner's representation rests on a sign-in (else someone who typed the number first would
ride on another person's login) and never overturns a call manager's rejection; a
membership made in the portal is only confirmed by a sign-in, and a sign-in that stops
saying so takes back the confirmation, never the membership."""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from intake import deadlines
from intake.audit import audit_record
from intake.kernel.enums import Role, VerificationMethod, VerificationState
from intake.kernel.validators import format_enterprise_number
from intake.models import Membership, Organisation
from intake.rules.registry import applicant_check, registered_prefill
from intake.workflow import organisation_verification_transition

_LOGIN_FIELDS = ["login_provider", "login_provider_name", "login_subject", "login_role", "login_asserted_at"]


@dataclass(frozen=True)
class Asserted:
    """One enterprise the sign-in asserts, and the role it names."""

    enterprise_number: str  # canonical, 10 digits
    role: str
    name: str = ""  # the organisation's name if the login carries it


@dataclass
class Outcome:
    joined: list[Organisation] = field(default_factory=list)  # memberships the sign-in made
    kept: list[Organisation] = field(default_factory=list)  # memberships it confirmed (again)
    ended: list[Organisation] = field(default_factory=list)  # memberships it made and now ended
    unconfirmed: list[Organisation] = field(default_factory=list)  # portal memberships it no longer confirms
    awaiting_agency: list[Organisation] = field(default_factory=list)  # other owners: VLAIO verifies
    refused: list[tuple[str, list[str]]] = field(default_factory=list)  # (number, registry problems)


def _organisation_for(asserted: Asserted, user) -> tuple[Organisation | None, list[str]]:
    """The asserted number's organisation, locked; created if the portal has none: from
    the register's facts when an extract is loaded (and only for an active legal person, as
    for an organisation typed in), else with what the login gives, for the owner to complete."""
    number = asserted.enterprise_number
    existing = Organisation.objects.select_for_update().filter(enterprise_number=number).first()
    if existing is not None:
        return existing, []
    check = applicant_check(number)
    if check is not None and not check.passed:
        return None, check.messages
    prefill = registered_prefill(check.facts) if check is not None else {}
    try:
        with transaction.atomic():
            organisation = Organisation.objects.create(
                enterprise_number=number,
                # Without a register or a name in the login, named by its number until the
                # owner fills in the legal name (the organisation page asks for it).
                name=prefill.get("name")
                or asserted.name
                or _("Enterprise %(number)s") % {"number": format_enterprise_number(number)},
                street=prefill.get("street", ""),
                postal_code=prefill.get("postal_code", ""),
                municipality=prefill.get("municipality", ""),
                has_legal_personality=check is not None,  # the register said so; else the owner confirms
                contact_name=user.get_full_name() or user.email,
                contact_email=user.email,
            )
    except IntegrityError:  # another sign-in for the same enterprise created it just now
        return Organisation.objects.select_for_update().get(enterprise_number=number), []
    audit_record(actor=user, action="organisation.created", obj=organisation, organisation=organisation, data={"from": "login"})
    return organisation, []


def _every_owner_signed_in(organisation: Organisation) -> bool:
    return not organisation.memberships.filter(role=Role.OWNER, login_provider="").exists()


@transaction.atomic
def representation_from_login(*, user, provider: str, provider_name: str, subject: str, asserted: list[Asserted]) -> Outcome:
    """Bring what ``provider`` asserts about ``user``'s memberships to what this sign-in
    asserts (see the module's docstring for what it may and may not change)."""
    # One sign-in of a person at a time: two tabs or two logins of the same person
    # serialise here instead of racing to create the same membership.
    list(get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk"))
    now = deadlines.clock()
    outcome = Outcome()
    wanted: set[int] = set()
    for item in asserted:
        organisation, problems = _organisation_for(item, user)
        if organisation is None:
            outcome.refused.append((item.enterprise_number, problems))
            continue
        wanted.add(organisation.pk)
        evidence = {"user": user.email, "provider": provider, "subject": subject, "role": item.role}
        membership = Membership.objects.filter(organisation=organisation, user=user).first()
        if membership is None:
            membership = Membership(organisation=organisation, user=user, role=Role.OWNER, login_created=True)
            outcome.joined.append(organisation)
        else:
            outcome.kept.append(organisation)
        changed = membership.pk is None or (membership.login_provider, membership.login_role) != (provider, item.role)
        membership.login_provider, membership.login_provider_name = provider, provider_name
        membership.login_subject, membership.login_role, membership.login_asserted_at = subject, item.role, now
        membership.save()
        if changed:
            audit_record(
                actor=user,
                action="membership.asserted",
                obj=membership,
                organisation=organisation,
                data={**evidence, "made": membership.login_created},
            )
        if organisation.verification_state == VerificationState.UNVERIFIED:
            if _every_owner_signed_in(organisation):
                organisation_verification_transition(
                    organisation,
                    VerificationState.VERIFIED,
                    actor=user,
                    note=_("Established by the sign-in through “%(provider)s” (role %(role)s).")
                    % {"provider": provider_name, "role": item.role},
                    data={**evidence, "provider_name": provider_name},
                    method=VerificationMethod.LOGIN,
                )
            else:
                outcome.awaiting_agency.append(organisation)
    for membership in Membership.objects.filter(user=user, login_provider=provider).exclude(organisation_id__in=wanted):
        _end_assertion(membership, user=user, provider_name=provider_name, outcome=outcome)
    return outcome


def _end_assertion(membership: Membership, *, user, provider_name: str, outcome: Outcome) -> None:
    """The sign-in no longer says ``user`` acts for the organisation: a membership it made
    ends, a membership made in the portal loses the sign-in's confirmation; and a
    verification that rested on this person's sign-in is taken back."""
    organisation = Organisation.objects.select_for_update().get(pk=membership.organisation_id)
    data = {"user": user.email, "provider": membership.login_provider, "role": membership.login_role}
    if membership.login_created:
        audit_record(
            actor=user,
            action="membership.ended",
            obj=membership,
            organisation=organisation,
            note=_("The sign-in through “%(provider)s” no longer says this person acts for the organisation.")
            % {"provider": provider_name},
            data=data,
        )
        membership.delete()
        outcome.ended.append(organisation)
    else:
        audit_record(actor=user, action="membership.assertion_ended", obj=membership, organisation=organisation, data=data)
        for name in _LOGIN_FIELDS:
            setattr(membership, name, None if name == "login_asserted_at" else "")
        membership.save(update_fields=_LOGIN_FIELDS)
        outcome.unconfirmed.append(organisation)
    if (
        organisation.verification_state == VerificationState.VERIFIED
        and organisation.verification_method == VerificationMethod.LOGIN
        and organisation.verified_by_id == user.pk
    ):
        organisation_verification_transition(
            organisation,
            VerificationState.UNVERIFIED,
            actor=user,
            note=_("The sign-in that established who acts for the organisation no longer says so."),
            data=data,
        )


def representation_of(organisation_id: int, user) -> dict:
    """How ``user``'s acting for the organisation was established, as a submission's
    snapshot records it: by a sign-in (which provider, role, when it last said so), or in
    the portal (the organisation's verification, recorded beside it, says the rest)."""
    membership = (
        Membership.objects.filter(organisation_id=organisation_id, user=user)
        .only("login_provider", "login_provider_name", "login_role", "login_asserted_at")
        .first()
    )
    if membership is None or not membership.login_provider:
        return {"method": "portal"}
    return {
        "method": "login",
        "provider": membership.login_provider,
        "provider_name": membership.login_provider_name or membership.login_provider,
        "role": membership.login_role,
        "asserted_at": membership.login_asserted_at,
    }
