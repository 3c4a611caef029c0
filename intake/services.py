"""Everything that changes intake data. Views call exactly one service per action; a
service raises a DomainError that the view turns into a message. Time comes from
deadlines.clock(), read after the row is locked."""

import secrets

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import translation
from django.utils.translation import gettext as _

from intake import deadlines
from intake.audit import audit_record
from intake.enums import DossierState, Phase, PreRegistrationState, Role, SubmissionKind
from intake.errors import (
    AlreadySubmitted,
    DeadlinePassed,
    DomainError,
    EditConflict,
    Incomplete,
    InvalidTransition,
    NotAllowed,
    OrganisationExists,
)
from intake.models import Call, Dossier, Invitation, Membership, Organisation, PreRegistration, Receipt, Submission
from intake.snapshots import canonical_json, preregistration_snapshot, sha256_hex
from intake.workflow import preregistration_transition

# --- Organisations -------------------------------------------------------------------------


def organisation_create(*, user, data: dict) -> Organisation:
    """Create the applicant organisation with ``user`` as its owner. One enterprise number
    is one organisation: a second attempt raises OrganisationExists, never a copy."""
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
    _require_owner(organisation, actor)
    for field, value in data.items():
        setattr(organisation, field, value)
    organisation.save(update_fields=list(data))
    audit_record(actor=actor, action="organisation.updated", obj=organisation, organisation=organisation)
    return organisation


def _require_owner(organisation, user):
    if not Membership.objects.filter(organisation=organisation, user=user, role=Role.OWNER).exists():
        raise NotAllowed(_("Only an owner of the organisation can do this."))


@transaction.atomic
def invitation_create(*, organisation: Organisation, email: str, role: str, invited_by) -> Invitation:
    _require_owner(organisation, invited_by)
    email = email.strip().lower()
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise DomainError(_("%(email)s is already a member of this organisation.") % {"email": email})
    invitation = Invitation.objects.create(
        organisation=organisation, email=email, role=role, invited_by=invited_by, token=secrets.token_urlsafe(32)
    )
    audit_record(actor=invited_by, action="invitation.created", obj=invitation, organisation=organisation, data={"email": email})
    from django.conf import settings
    from django.urls import reverse

    from intake.outbox import outbox_enqueue

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
    _require_owner(invitation.organisation, actor)
    audit_record(actor=actor, action="invitation.revoked", obj=invitation, organisation=invitation.organisation)
    invitation.delete()


@transaction.atomic
def membership_remove(*, membership: Membership, actor) -> None:
    organisation = Organisation.objects.select_for_update().get(pk=membership.organisation_id)
    _require_owner(organisation, actor)
    if membership.role == Role.OWNER and organisation.memberships.filter(role=Role.OWNER).count() == 1:
        raise DomainError(_("An organisation keeps at least one owner. Make someone else owner first."))
    audit_record(
        actor=actor, action="membership.removed", obj=membership, organisation=organisation, data={"user": membership.user.email}
    )
    membership.delete()


# --- Pre-registration -----------------------------------------------------------------------


def preregistration_save_draft(
    *, call: Call, organisation: Organisation, data: dict, expected_version: int, actor
) -> PreRegistration:
    """Save the draft of an organisation's pre-registration.

    ``expected_version`` is the version the user's form was based on (0 when the form was
    opened before any draft existed). A different stored version means a colleague saved
    in between: EditConflict, and nothing is written."""
    try:
        with transaction.atomic():
            return _preregistration_save_draft(call, organisation, data, expected_version, actor)
    except IntegrityError:
        # Two first saves raced to create the row: the loser is a conflict, not an error page.
        raise EditConflict() from None


def _preregistration_save_draft(call, organisation, data, expected_version, actor):
    preregistration = PreRegistration.objects.select_for_update().filter(call=call, organisation=organisation).first()
    now = deadlines.clock()
    deadlines.ensure_open(call, Phase.PREREGISTRATION, organisation, now=now)
    if preregistration is None:
        if expected_version != 0:
            raise EditConflict()
        preregistration = PreRegistration(call=call, organisation=organisation, version=0)
    else:
        if preregistration.state != PreRegistrationState.DRAFT:
            raise DomainError(_("This pre-registration has been submitted and can no longer be changed."))
        if preregistration.version != expected_version:
            raise EditConflict(saved_by=preregistration.updated_by, saved_at=preregistration.updated_at)
    for field in PreRegistration.CONTENT_FIELDS:
        if field in data:
            setattr(preregistration, field, data[field])
    preregistration.version += 1
    preregistration.updated_by = actor
    preregistration.save()
    return preregistration


def preregistration_missing(preregistration: PreRegistration) -> list[str]:
    """Names (translated) of the fields a pre-registration still needs before submitting."""
    missing = []
    for field in PreRegistration.REQUIRED_FOR_SUBMIT:
        value = getattr(preregistration, field if field != "policy_priority" else "policy_priority_id")
        if value in (None, ""):
            missing.append(str(PreRegistration._meta.get_field(field).verbose_name))
    limit = preregistration.call.proposal_max_chars
    if len(preregistration.proposal or "") > limit:
        missing.append(_("a project proposal of at most %(limit)d characters") % {"limit": limit})
    if (
        preregistration.policy_priority_id
        and not preregistration.call.policy_priorities.filter(pk=preregistration.policy_priority_id).exists()
    ):
        missing.append(_("a policy priority of this call"))
    return missing


def preregistration_submit(*, preregistration_id: int, actor) -> Submission:
    try:
        return _preregistration_submit(preregistration_id=preregistration_id, actor=actor)
    except DeadlinePassed as exc:
        from intake.audit import late_attempt_record

        preregistration = PreRegistration.objects.select_related("call", "organisation").get(pk=preregistration_id)
        late_attempt_record(
            actor=actor,
            obj=preregistration,
            call=preregistration.call,
            organisation=preregistration.organisation,
            phase="preregistration",
            deadline=exc.deadline,
        )
        raise


def _preregistration_submit(*, preregistration_id: int, actor) -> Submission:
    """Submit a pre-registration: record the server instant, an immutable snapshot and an
    audit event; queue the confirmation on commit. The deadline is checked against the
    locked row at the instant of recording, so a request that began on time but records
    late is late. A second submit (another tab) raises AlreadySubmitted."""
    with transaction.atomic(durable=True):
        preregistration = (
            PreRegistration.objects.select_for_update(of=("self",))
            .select_related("call", "organisation", "policy_priority")
            .get(pk=preregistration_id)
        )
        if preregistration.state == PreRegistrationState.SUBMITTED:
            raise AlreadySubmitted(preregistration.submissions.order_by("-version").first())
        if preregistration.state != PreRegistrationState.DRAFT:
            raise InvalidTransition(preregistration.state, PreRegistrationState.SUBMITTED)
        missing = preregistration_missing(preregistration)
        if missing:
            raise Incomplete(missing)
        call = preregistration.call
        if preregistration.number is None:
            # Numbers are handed out per call in submission order; the call row lock
            # serialises concurrent first submissions of different organisations.
            Call.objects.select_for_update().filter(pk=call.pk).first()
            last = PreRegistration.objects.filter(call=call).aggregate(n=Max("number"))["n"] or 0
            preregistration.number = last + 1
        # Read after the last lock: waiting for it counts against the deadline.
        now = deadlines.clock()
        applied = deadlines.ensure_open(call, Phase.PREREGISTRATION, preregistration.organisation, now=now)
        version = preregistration.submissions.count() + 1
        reference = preregistration.reference if version == 1 else f"{preregistration.reference}-{version}"
        snapshot = canonical_json(
            preregistration_snapshot(preregistration, submitted_at=now, submitted_by=actor, deadline=applied.deadline)
            | {"reference": reference, "version": version}
        )
        submission = Submission.objects.create(
            kind=SubmissionKind.PREREGISTRATION,
            reference=reference,
            call=call,
            organisation=preregistration.organisation,
            preregistration=preregistration,
            version=version,
            snapshot=snapshot,
            snapshot_sha256=sha256_hex(snapshot),
            submitted_at=now,
            submitted_by=actor,
            deadline=applied.deadline,
            extension=applied.extension,
            language=(translation.get_language() or "nl")[:2],
        )
        preregistration.submitted_at = now
        preregistration.submitted_by = actor
        preregistration_transition(
            preregistration,
            PreRegistrationState.SUBMITTED,
            actor=actor,
            extra_fields=["submitted_at", "submitted_by", "number"],
            data={"reference": reference, "sha256": submission.snapshot_sha256},
        )
        from intake.tasks import receipt_render

        # The receipt row exists from the start (pending), so a receipt whose task never
        # reached a worker is visible in the admin and picked up again by beat.
        Receipt.objects.create(submission=submission)
        # robust: the submission is recorded; if the broker is down, beat queues it later.
        transaction.on_commit(lambda: receipt_render.delay(submission_id=submission.pk), robust=True)
    return submission


def preregistration_withdraw(*, preregistration_id: int, actor, note: str = "") -> PreRegistration:
    """Withdraw a submitted pre-registration; only before the deadline that applies."""
    with transaction.atomic(durable=True):
        preregistration = (
            PreRegistration.objects.select_for_update(of=("self",))
            .select_related("call", "organisation")
            .get(pk=preregistration_id)
        )
        deadlines.ensure_open(preregistration.call, Phase.PREREGISTRATION, preregistration.organisation, now=deadlines.clock())
        # The dossier rests on the pre-registration: a submitted dossier must be withdrawn first.
        if Dossier.objects.filter(preregistration=preregistration, state=DossierState.SUBMITTED).exists():
            raise DomainError(_("Your full dossier has been submitted. Withdraw the dossier first."))
        return preregistration_transition(preregistration, PreRegistrationState.WITHDRAWN, actor=actor, note=note)


def preregistration_reopen(*, preregistration_id: int, actor) -> PreRegistration:
    """Turn a withdrawn pre-registration back into a draft, before the deadline."""
    with transaction.atomic(durable=True):
        preregistration = (
            PreRegistration.objects.select_for_update(of=("self",))
            .select_related("call", "organisation")
            .get(pk=preregistration_id)
        )
        deadlines.ensure_open(preregistration.call, Phase.PREREGISTRATION, preregistration.organisation, now=deadlines.clock())
        # A new version makes forms opened before the withdrawal stale.
        preregistration.version += 1
        return preregistration_transition(preregistration, PreRegistrationState.DRAFT, actor=actor, extra_fields=["version"])


# --- Extensions -----------------------------------------------------------------------------


def extension_audit(*, extension, actor, created: bool, previous_deadline=None):
    """Called by the admin after it saved an extension: every grant or change is audited."""
    return audit_record(
        actor=actor,
        action="extension.granted" if created else "extension.changed",
        obj=extension,
        call=extension.call,
        organisation=extension.organisation,
        note=extension.reason,
        data={
            "phase": extension.phase,
            "deadline": extension.deadline.isoformat(),
            "previous_deadline": previous_deadline.isoformat() if previous_deadline else None,
        },
    )


# --- Deadline changes -------------------------------------------------------------------------


def call_deadline_changed(*, call, phase: str, old_deadline, actor) -> int:
    """Tell the people concerned that a call's deadline changed (reminders not sent yet
    follow the new deadline by themselves: the sweep reads it from the database)."""
    new_deadline = call.phase_deadline(phase)
    event = audit_record(
        actor=actor,
        action="call.deadline_changed",
        obj=call,
        call=call,
        data={"phase": phase, "from": old_deadline.isoformat(), "to": new_deadline.isoformat()},
    )
    return _notify_deadline(
        call=call,
        phase=phase,
        users=_people_concerned(call, phase),
        old_deadline=old_deadline,
        new_deadline=new_deadline,
        # One announcement per change (the audit event), so a deadline moved back to an
        # earlier value is announced again.
        key=f"deadline:{event.pk}",
    )


def extension_notify(*, extension, previous_deadline, event) -> int:
    """Tell the organisation's members the deadline that now applies to them."""
    users = [m.user for m in extension.organisation.memberships.select_related("user")]
    return _notify_deadline(
        call=extension.call,
        phase=extension.phase,
        users=users,
        old_deadline=previous_deadline or extension.call.phase_deadline(extension.phase),
        new_deadline=extension.deadline,
        key=f"extension:{event.pk}",
        note=extension.reason,
    )


def _people_concerned(call, phase: str) -> list:
    from intake.models import CallFollow

    states = [PreRegistrationState.DRAFT, PreRegistrationState.SUBMITTED]
    if phase == Phase.DOSSIER:
        states = [PreRegistrationState.SUBMITTED]
    organisations = PreRegistration.objects.filter(call=call, state__in=states).values("organisation_id")
    users = {m.user.pk: m.user for m in Membership.objects.filter(organisation_id__in=organisations).select_related("user")}
    if phase == Phase.PREREGISTRATION:
        for follow in CallFollow.objects.filter(call=call, active=True).select_related("user"):
            users.setdefault(follow.user.pk, follow.user)
    return list(users.values())


def _notify_deadline(*, call, phase, users, old_deadline, new_deadline, key, note="") -> int:
    from intake.outbox import outbox_enqueue

    queued = 0
    for user in users:
        message = outbox_enqueue(
            to=user.email,
            user=user,
            template="deadline_changed",
            context={
                "call": call,
                "phase_label": Phase(phase).label,
                "old_deadline": old_deadline,
                "new_deadline": new_deadline,
                "note": note,
            },
            dedupe_key=f"{key}:{user.pk}",
        )
        queued += message is not None
    return queued


# --- Following and preferences ----------------------------------------------------------------


def call_follow_set(*, call, user, active: bool) -> bool:
    from intake.models import CallFollow

    CallFollow.objects.update_or_create(call=call, user=user, defaults={"active": active})
    return active


def call_unfollow_by_token(*, call, user_id: int) -> None:
    from intake.models import CallFollow

    CallFollow.objects.filter(call=call, user_id=user_id).update(active=False)


def user_language_set(*, user, language: str) -> None:
    from django.conf import settings

    from intake.models import UserSettings

    if language in dict(settings.LANGUAGES):
        UserSettings.objects.update_or_create(user=user, defaults={"language": language})
