"""The audit trail: one function writes every event."""

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


def late_attempt_record(*, actor, obj, call, organisation, phase: str, deadline) -> None:
    """A submit refused because the deadline had passed: counted on the reviewer dashboard.
    Written after the refused transaction rolled back, so it is kept."""
    audit_record(
        actor=actor,
        action=f"{phase}.late_attempt",
        obj=obj,
        call=call,
        organisation=organisation,
        data={"deadline": deadline.isoformat()},
    )
