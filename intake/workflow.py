"""State transitions: the only code that writes a state field (DESIGN.md §4).

A transition locks the row, checks the pair against the table, saves with update_fields
and writes the audit event, all in the caller's transaction. E-mails and receipts are
queued by the services with transaction.on_commit, after the state is durable."""

from django.db import transaction

from intake.audit import audit_record
from intake.enums import DossierState as DS
from intake.enums import PreRegistrationState as PR
from intake.errors import InvalidTransition

# (from, to) pairs a pre-registration may take. Withdrawn → draft lets an organisation
# reconsider before the deadline (deadlines are checked by the services).
PREREGISTRATION_TRANSITIONS: frozenset[tuple[str, str]] = frozenset(
    {
        (PR.DRAFT, PR.SUBMITTED),
        (PR.SUBMITTED, PR.WITHDRAWN),
        (PR.WITHDRAWN, PR.DRAFT),
    }
)

_ACTIONS = {
    PR.SUBMITTED: "preregistration.submitted",
    PR.WITHDRAWN: "preregistration.withdrawn",
    PR.DRAFT: "preregistration.reopened",
}


# (from, to) pairs a dossier may take. submitted → submitted is a re-submission: a new
# immutable version before the deadline. Admissibility and decisions are the agency's.
DOSSIER_TRANSITIONS: frozenset[tuple[str, str]] = frozenset(
    {
        (DS.DRAFT, DS.SUBMITTED),
        (DS.SUBMITTED, DS.SUBMITTED),
        (DS.DRAFT, DS.WITHDRAWN),
        (DS.SUBMITTED, DS.WITHDRAWN),
        (DS.WITHDRAWN, DS.DRAFT),
        (DS.SUBMITTED, DS.ADMISSIBLE),
        (DS.SUBMITTED, DS.INADMISSIBLE),
        (DS.ADMISSIBLE, DS.APPROVED),
        (DS.ADMISSIBLE, DS.REJECTED),
        # An inadmissible dossier still gets a decision letter: rejected.
        (DS.INADMISSIBLE, DS.REJECTED),
    }
)


def dossier_can_transition(from_state: str, to_state: str) -> bool:
    return (from_state, to_state) in DOSSIER_TRANSITIONS


def dossier_transition(dossier, to_state: str, *, actor, note: str = "", extra_fields=(), data=None):
    """Move a dossier (locked by the caller) to ``to_state``, with its audit event."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("dossier_transition must run inside the transaction that locked the row")
    from_state = dossier.state
    if not dossier_can_transition(from_state, to_state):
        raise InvalidTransition(from_state, to_state)
    dossier.state = to_state
    dossier.save(update_fields=["state", "updated_at", *extra_fields])
    action = "dossier.resubmitted" if from_state == to_state == DS.SUBMITTED else f"dossier.{to_state}"
    audit_record(
        actor=actor,
        action=action,
        obj=dossier,
        call=dossier.call,
        organisation=dossier.organisation,
        from_state=from_state,
        to_state=to_state,
        note=note,
        data=data,
    )
    return dossier


def preregistration_can_transition(from_state: str, to_state: str) -> bool:
    return (from_state, to_state) in PREREGISTRATION_TRANSITIONS


def preregistration_transition(preregistration, to_state: str, *, actor, note: str = "", extra_fields=(), data=None):
    """Move a pre-registration (already locked by the caller with select_for_update) to
    ``to_state``. ``extra_fields`` are other fields the caller set that must be saved in
    the same write (submitted_at, submitted_by, number)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("preregistration_transition must run inside the transaction that locked the row")
    from_state = preregistration.state
    if not preregistration_can_transition(from_state, to_state):
        raise InvalidTransition(from_state, to_state)
    preregistration.state = to_state
    preregistration.save(update_fields=["state", "updated_at", *extra_fields])
    audit_record(
        actor=actor,
        action=_ACTIONS[to_state],
        obj=preregistration,
        call=preregistration.call,
        organisation=preregistration.organisation,
        from_state=from_state,
        to_state=to_state,
        note=note,
        data=data,
    )
    return preregistration
