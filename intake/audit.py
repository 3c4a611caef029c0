"""The audit trail: one function writes every event; refused late attempts are recorded
through one decorator on the services that can refuse them."""

import functools

from intake.kernel.errors import DeadlinePassed
from intake.models import AuditEvent


def audit_record(*, actor, action: str, obj, call=None, organisation=None, from_state="", to_state="", note="", data=None):
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        call=call,
        organisation=organisation,
        object_type=obj._meta.model_name,
        object_id=str(obj.pk),
        from_state=from_state or "",
        to_state=to_state or "",
        note=note or "",
        data=data or {},
    )


def late_attempt_record(*, actor, refusal: DeadlinePassed, attempted: str = "") -> AuditEvent:
    """A change refused because the deadline had passed: counted on the reviewers'
    dashboard (``<phase>.late_attempt``). Written after the refused transaction rolled
    back, so it is kept."""
    data = {"deadline": refusal.deadline.isoformat(), "attempted": attempted}
    if refusal.judged_at is not None:
        data["judged_at"] = refusal.judged_at.isoformat()
    return audit_record(
        actor=actor,
        action=f"{refusal.phase}.late_attempt",
        # The row refused, so the attempt shows in its audit trail; the organisation when
        # there is none yet (a first draft saved too late).
        obj=refusal.subject if getattr(refusal.subject, "pk", None) else refusal.organisation,
        call=refusal.call,
        organisation=refusal.organisation,
        data=data,
    )


def records_late_attempts(service):
    """Every refusal for lateness of ``service`` (a service entry point taking ``actor``)
    is on record once: whichever path refused it (a submit, a save, save-and-submit)."""

    @functools.wraps(service)
    def wrapper(*args, **kwargs):
        try:
            return service(*args, **kwargs)
        except DeadlinePassed as refusal:
            if refusal.organisation is not None:
                late_attempt_record(actor=kwargs.get("actor"), refusal=refusal, attempted=service.__name__)
            raise

    return wrapper
