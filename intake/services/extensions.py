"""Extensions and deadline changes: every grant or change is audited, and the people
concerned are told the deadline that now applies to them. Reminders not sent yet follow a
new deadline by themselves: the sweep reads it from the database."""

from intake.audit import audit_record
from intake.kernel.enums import Phase, PreRegistrationState
from intake.messaging.outbox import outbox_enqueue
from intake.models import CallFollow, Membership, PreRegistration


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
