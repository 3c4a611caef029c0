"""State transitions: the only code that writes a state field (DESIGN.md §4), and the
actions a page may offer (``allowed_actions``), both read from one transition table.

A transition locks nothing itself: the caller locked the row in its transaction. It
checks the pair against the table, saves with update_fields and writes the audit event.
E-mails and receipts are queued by the services through intake.jobs, on commit."""

from django.db import transaction

from intake import deadlines
from intake.audit import audit_record
from intake.kernel.enums import DOSSIER_EDITABLE_STATES, DOSSIER_SCORED_STATES, ClaimKind, Phase
from intake.kernel.enums import ClaimState as CS
from intake.kernel.enums import DossierState as DS
from intake.kernel.enums import PreRegistrationState as PR
from intake.kernel.enums import VerificationMethod as VM
from intake.kernel.enums import VerificationState as VS
from intake.kernel.errors import InvalidTransition
from intake.models import Dossier, Organisation, OrganisationClaim, PreRegistration

# (from, to) pairs a pre-registration may take. Withdrawn → draft lets an organisation
# reconsider before the deadline (deadlines are checked by the services).
PREREGISTRATION_TRANSITIONS: frozenset[tuple[str, str]] = frozenset(
    {
        (PR.DRAFT, PR.SUBMITTED),
        (PR.SUBMITTED, PR.WITHDRAWN),
        (PR.WITHDRAWN, PR.DRAFT),
    }
)

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

TRANSITIONS = {PreRegistration: PREREGISTRATION_TRANSITIONS, Dossier: DOSSIER_TRANSITIONS}

# The audit action of a transition, where it is not "<model>.<to state>".
_ACTIONS = {
    (PreRegistration, PR.DRAFT, PR.SUBMITTED): "preregistration.submitted",
    (PreRegistration, PR.WITHDRAWN, PR.DRAFT): "preregistration.reopened",
    (Dossier, DS.SUBMITTED, DS.SUBMITTED): "dossier.resubmitted",
}


def can_transition(model, from_state: str, to_state: str) -> bool:
    return (from_state, to_state) in TRANSITIONS[model]


def transition(obj, to_state: str, *, actor, note: str = "", extra_fields=(), data=None):
    """Move ``obj`` (a pre-registration or a dossier, locked by the caller) to ``to_state``
    with its audit event. ``extra_fields`` are other fields the caller set that must be
    saved in the same write (submitted_at, submitted_by, number, version)."""
    _require_locking_transaction()
    model = type(obj)
    from_state = obj.state
    if not can_transition(model, from_state, to_state):
        raise InvalidTransition(from_state, to_state)
    obj.state = to_state
    obj.save(update_fields=["state", "updated_at", *extra_fields])
    audit_record(
        actor=actor,
        action=_ACTIONS.get((model, from_state, to_state), f"{model._meta.model_name}.{to_state}"),
        obj=obj,
        call=obj.call,
        organisation=obj.organisation,
        from_state=from_state,
        to_state=to_state,
        note=note,
        data=data,
    )
    return obj


# --- Who acts for an organisation ---------------------------------------------------------

# A call manager decides a claim once; a rejected claim may be verified later (new evidence),
# and a verified one goes back to unverified when its ownership is transferred to a
# contesting claimant, whose claim is then the one to verify.
VERIFICATION_TRANSITIONS: frozenset[tuple[str, str]] = frozenset(
    {
        (VS.UNVERIFIED, VS.VERIFIED),
        (VS.UNVERIFIED, VS.REJECTED),
        (VS.REJECTED, VS.VERIFIED),
        (VS.REJECTED, VS.UNVERIFIED),
        (VS.VERIFIED, VS.UNVERIFIED),
    }
)

# A join request ends accepted or refused; a contest in any of the three decisions.
CLAIM_TRANSITIONS: dict[str, frozenset[tuple[str, str]]] = {
    ClaimKind.JOIN: frozenset({(CS.OPEN, CS.ACCEPTED), (CS.OPEN, CS.REFUSED)}),
    ClaimKind.CONTEST: frozenset({(CS.OPEN, CS.ACCEPTED), (CS.OPEN, CS.REFUSED), (CS.OPEN, CS.TRANSFERRED)}),
}


def organisation_verification_transition(
    organisation: Organisation, to_state: str, *, actor, note: str = "", data=None, method: str = VM.AGENCY
):
    """Set the verification of ``organisation`` (locked by the caller) with its audit
    event ``organisation.<to state>``, and who verified (``method``: a call manager, or a
    member's own sign-in, whose event is ``organisation.verified_by_login``)."""
    by_login = method == VM.LOGIN and to_state == VS.VERIFIED
    return _decide(
        organisation,
        to_state,
        VERIFICATION_TRANSITIONS,
        fields=("verification_state", "verified_at", "verified_by", "verification_note"),
        actor=actor,
        note=note,
        action="organisation.verified_by_login" if by_login else f"organisation.{to_state}",
        organisation=organisation,
        data=data,
        also={"verification_method": method if to_state == VS.VERIFIED else ""},
    )


def claim_transition(claim: OrganisationClaim, to_state: str, *, actor, note: str = "", data=None):
    """Decide ``claim`` (locked by the caller) with its audit event ``claim.<to state>``."""
    return _decide(
        claim,
        to_state,
        CLAIM_TRANSITIONS[claim.kind],
        fields=("state", "decided_at", "decided_by", "decision_note"),
        actor=actor,
        note=note,
        action=f"claim.{to_state}",
        organisation=claim.organisation,
        data={"claimant": claim.claimant.email, "kind": claim.kind, **(data or {})},
    )


def _decide(
    obj, to_state: str, allowed, *, fields: tuple[str, str, str, str], actor, note, action, organisation, data, also=None
):
    """A decision by a person on ``obj``: its state, when, by whom and why (``fields``, in
    that order) written together with the audit event, and ``also`` (field: value) with them."""
    also = also or {}
    _require_locking_transaction()
    state, at, by, why = fields
    from_state = getattr(obj, state)
    if (from_state, to_state) not in allowed:
        raise InvalidTransition(from_state, to_state)
    setattr(obj, state, to_state)
    setattr(obj, at, deadlines.clock())
    setattr(obj, by, actor if getattr(actor, "is_authenticated", False) else None)
    setattr(obj, why, note)
    for name, value in also.items():
        setattr(obj, name, value)
    obj.save(update_fields=[*fields, *also])
    audit_record(
        actor=actor,
        action=action,
        obj=obj,
        organisation=organisation,
        from_state=from_state,
        to_state=to_state,
        note=note,
        data=data,
    )
    return obj


def _require_locking_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("a transition must run inside the transaction that locked the row")


# --- What a page may offer --------------------------------------------------------------------

EDIT, SUBMIT, WITHDRAW, REOPEN = "edit", "submit", "withdraw", "reopen"
ASSESS, SCORE, DECIDE = "assess", "score", "decide"


def _applicant_actions(model, state: str, *, is_open: bool, editable_states) -> frozenset[str]:
    if not is_open:
        return frozenset()
    actions = set()
    if state in editable_states:
        actions.add(EDIT)
    states = PR if model is PreRegistration else DS
    for action, target in ((SUBMIT, states.SUBMITTED), (WITHDRAW, states.WITHDRAWN), (REOPEN, states.DRAFT)):
        if can_transition(model, state, target):
            actions.add(action)
    return frozenset(actions)


def preregistration_actions(preregistration, *, call, organisation, now=None) -> frozenset[str]:
    """What the applicant may do with a pre-registration now. ``preregistration`` may be
    None (not started): it is a draft to be."""
    state = preregistration.state if preregistration is not None else PR.DRAFT
    is_open = deadlines.is_open(call, Phase.PREREGISTRATION, organisation, now=now)
    return _applicant_actions(PreRegistration, state, is_open=is_open, editable_states=(PR.DRAFT,))


def dossier_actions(dossier, *, now=None) -> frozenset[str]:
    """What the applicant may do with a dossier now: only before the deadline that applies
    to the organisation, and only while its pre-registration stays submitted."""
    is_open = dossier.preregistration.state == PR.SUBMITTED and deadlines.is_open(
        dossier.call, Phase.DOSSIER, dossier.organisation, now=now
    )
    actions = _applicant_actions(Dossier, dossier.state, is_open=is_open, editable_states=DOSSIER_EDITABLE_STATES)
    if dossier.state == DS.DRAFT:
        # The table lets a draft be withdrawn (the service accepts it), but a page offers
        # withdrawing only once something was submitted: a draft simply stays unsubmitted.
        actions -= {WITHDRAW}
    return actions


def review_actions(dossier, *, now=None) -> frozenset[str]:
    """What the agency may do with a dossier now, by its state: nothing until the submitted
    version is final (deadlines.is_final); who may do it is reviews' business."""
    if not deadlines.is_final(dossier.call, Phase.DOSSIER, dossier.organisation, now=now):
        return frozenset()
    actions = set()
    if can_transition(Dossier, dossier.state, DS.ADMISSIBLE):
        actions.add(ASSESS)
    if dossier.state in DOSSIER_SCORED_STATES:
        actions.add(SCORE)
    if can_transition(Dossier, dossier.state, DS.REJECTED):
        actions.add(DECIDE)
    return frozenset(actions)


def allowed_actions(obj, *, now=None) -> frozenset[str]:
    """The applicant's actions on a pre-registration or dossier (for pages' buttons)."""
    if isinstance(obj, Dossier):
        return dossier_actions(obj, now=now)
    return preregistration_actions(obj, call=obj.call, organisation=obj.organisation, now=now)
