"""Submitting, for both phases: one algorithm records a submission (DESIGN.md §4–5).

Under the row lock: the state must allow it; the change is judged at the instant its
request reached the portal (``arrived_at``; without one, the clock) and recorded at the
clock read once after the last lock, which may not lie more than the service bound after
the arrival; the content must be complete (and, for a re-submitted dossier, changed); then
one immutable Submission is written with its canonical snapshot and hash, the state moves
through intake.workflow, a pending Receipt row is created and its rendering queued on
commit. A submit refused because the deadline passed is recorded as a late attempt.

What differs per phase (which row, what is complete, what the snapshot holds, how the
reference reads) is a ``_Phase``; the order of the steps is written only here."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import translation

from intake import deadlines, jobs
from intake.audit import records_late_attempts
from intake.kernel.enums import DossierState, Phase, PreRegistrationState, SubmissionKind
from intake.kernel.errors import AlreadySubmitted, DossierIncomplete, Incomplete, InvalidTransition
from intake.models import Call, Dossier, PreRegistration, Receipt, Submission
from intake.rules.completeness import content_gaps, content_registry, preregistration_gaps
from intake.rules.mandates import mandate_count_of_content
from intake.rules.snapshots import (
    canonical_json,
    certifies_content,
    dossier_content,
    dossier_snapshot,
    preregistration_snapshot,
    sha256_hex,
)
from intake.services.dossiers import dossier_lock
from intake.services.preregistrations import draft_save, first_save_races_are_conflicts
from intake.services.representation import representation_of
from intake.workflow import transition


@dataclass(frozen=True)
class _Phase:
    kind: str
    phase: str
    model: type
    lock: Callable  # (pk) -> the locked row, its state checked
    prepare: Callable  # (row, latest submission) -> what the snapshot needs; raises when incomplete or unchanged
    snapshot: Callable  # (row, prepared, *, submitted_at, submitted_by, deadline) -> dict
    reference: Callable  # (row, version) -> str
    submitted: str  # the state a submission moves the row to
    extra_fields: tuple = ()


# --- Pre-registration ---------------------------------------------------------------------------


def _preregistration_lock(pk: int) -> PreRegistration:
    preregistration = (
        PreRegistration.objects.select_for_update(of=("self",))
        .select_related("call", "organisation", "policy_priority")
        .get(pk=pk)
    )
    return _ready_to_submit(preregistration)


def _ready_to_submit(preregistration: PreRegistration) -> PreRegistration:
    """The state allows a submit, and the row (locked by the caller) has its number."""
    if preregistration.state == PreRegistrationState.SUBMITTED:
        raise AlreadySubmitted(preregistration.submissions.order_by("-version").first())
    if preregistration.state != PreRegistrationState.DRAFT:
        raise InvalidTransition(preregistration.state, PreRegistrationState.SUBMITTED)
    if preregistration.number is None:
        preregistration.number = _next_preregistration_number(preregistration.call_id)
    return preregistration


def _next_preregistration_number(call_id: int) -> int:
    """The call's next pre-registration number, in submission order, without gaps. One
    UPDATE … RETURNING of the call's counter: it hands out the number and holds the call
    row's lock until commit, which serialises concurrent first submissions of a call (a
    rolled-back submission gives its number back)."""
    quote = connection.ops.quote_name
    table, counter = quote(Call._meta.db_table), quote(Call._meta.get_field("last_preregistration_number").column)
    with connection.cursor() as cursor:
        # Only quoted identifiers from the model's own metadata are formatted in.
        cursor.execute(
            f"UPDATE {table} SET {counter} = {counter} + 1 WHERE {quote('id')} = %s RETURNING {counter}",  # noqa: S608
            [call_id],
        )
        return cursor.fetchone()[0]


def _preregistration_prepare(preregistration, latest) -> None:
    gaps = preregistration_gaps(preregistration)
    if gaps:
        raise Incomplete([name for _field, name in gaps], fields=gaps)


def _preregistration_snapshot(preregistration, _prepared, **recorded) -> dict:
    return preregistration_snapshot(preregistration, **recorded)


def _preregistration_reference(preregistration, version: int) -> str:
    return preregistration.reference if version == 1 else f"{preregistration.reference}-{version}"


PREREGISTRATION = _Phase(
    kind=SubmissionKind.PREREGISTRATION,
    phase=Phase.PREREGISTRATION,
    model=PreRegistration,
    lock=_preregistration_lock,
    prepare=_preregistration_prepare,
    snapshot=_preregistration_snapshot,
    reference=_preregistration_reference,
    submitted=PreRegistrationState.SUBMITTED,
    extra_fields=("submitted_at", "submitted_by", "number"),
)


# --- Full dossier -------------------------------------------------------------------------------


def _dossier_lock(pk: int) -> Dossier:
    return dossier_lock(dossier_id=pk)


def _dossier_prepare(dossier, latest) -> tuple[dict, dict | None]:
    content = dossier_content(dossier)
    registry = content_registry(content, applicant=dossier.organisation.enterprise_number)
    gaps = content_gaps(dossier.call, content, registry)
    if gaps:
        raise DossierIncomplete(gaps)
    if latest is not None and certifies_content(latest, content):
        # Nothing changed since the last version (a double click, a second tab): no
        # second version, receipt and e-mail for the same content.
        raise AlreadySubmitted(latest)
    return content, registry


def _dossier_snapshot(dossier, prepared, **recorded) -> dict:
    content, registry = prepared
    counted = mandate_count_of_content(dossier.call, content, registry).counted
    return dossier_snapshot(dossier, content=content, mandates_counted=counted, registry=registry, **recorded)


def _dossier_reference(dossier, version: int) -> str:
    return f"{dossier.call.reference_prefix}-DS-{dossier.preregistration.number:04d}-{version}"


DOSSIER = _Phase(
    kind=SubmissionKind.DOSSIER,
    phase=Phase.DOSSIER,
    model=Dossier,
    lock=_dossier_lock,
    prepare=_dossier_prepare,
    snapshot=_dossier_snapshot,
    reference=_dossier_reference,
    submitted=DossierState.SUBMITTED,
)


# --- The one algorithm --------------------------------------------------------------------------


def submission_record(spec: _Phase, *, pk: int, actor, arrived_at=None) -> Submission:
    """Record a submission of the row ``pk`` of ``spec``'s phase as a new immutable version,
    judged at ``arrived_at`` (when the request reached the portal; the clock without one).
    Raises AlreadySubmitted, InvalidTransition, DossierLocked, NotEditable, DeadlinePassed,
    PhaseNotOpenYet, NotServedInTime, Incomplete or DossierIncomplete; then nothing changed."""
    with transaction.atomic(durable=True):
        row = spec.lock(pk)
        # The clock is read after the last lock: it is the recorded instant, and how long
        # the request waited is bounded (deadlines.max_service_delay).
        return record_locked(spec, row, actor=actor, at=deadlines.moment(arrived_at))


def record_locked(spec: _Phase, row, *, actor, at: deadlines.Moment, applied=None, also_saved=()) -> Submission:
    """The steps after the lock, inside the caller's transaction (also save-and-submit's,
    which passes the deadline it applied to the same arrival, and the fields it changed
    but left for this write to save)."""
    applied = deadlines.ensure_open_at(row.call, spec.phase, row.organisation, at, subject=row, applied=applied)
    # A pre-registration never submitted has no submission to read (its first one sets submitted_at).
    first = spec.model is PreRegistration and row.submitted_at is None
    latest = None if first else row.submissions.order_by("-version").first()
    prepared = spec.prepare(row, latest)
    version = (latest.version if latest else 0) + 1
    reference = spec.reference(row, version)
    snapshot = canonical_json(
        spec.snapshot(row, prepared, submitted_at=at.judged, submitted_by=actor, deadline=applied.deadline)
        | {
            "reference": reference,
            "version": version,
            "recorded_at": at.recorded,
            "representation": representation_of(row.organisation_id, actor),
        }
    )
    submission = Submission.objects.create(
        kind=spec.kind,
        reference=reference,
        call=row.call,
        organisation=row.organisation,
        preregistration=row if spec.model is PreRegistration else row.preregistration,
        dossier=row if spec.model is Dossier else None,
        version=version,
        snapshot=snapshot,
        snapshot_sha256=sha256_hex(snapshot),
        submitted_at=at.judged,
        recorded_at=at.recorded,
        submitted_by=actor,
        deadline=applied.deadline,
        extension=applied.extension,
        language=(translation.get_language() or "nl")[:2],
    )
    if spec.model is PreRegistration:
        row.submitted_at, row.submitted_by = at.judged, actor
    transition(
        row,
        spec.submitted,
        actor=actor,
        extra_fields=(*spec.extra_fields, *also_saved),
        data={"reference": reference, "sha256": submission.snapshot_sha256},
    )
    # The receipt row exists from the start (pending), so a receipt whose task never
    # reached a worker is visible in the admin and picked up again by beat.
    Receipt.objects.create(submission=submission)
    jobs.enqueue_on_commit("intake.receipt_render", submission_id=submission.pk)
    return submission


@records_late_attempts
def preregistration_submit(*, preregistration_id: int, actor, arrived_at=None) -> Submission:
    return submission_record(PREREGISTRATION, pk=preregistration_id, actor=actor, arrived_at=arrived_at)


@records_late_attempts
def dossier_submit(*, dossier_id: int, actor, arrived_at=None) -> Submission:
    return submission_record(DOSSIER, pk=dossier_id, actor=actor, arrived_at=arrived_at)


@records_late_attempts
def preregistration_save_and_submit(
    *, call, organisation, data: dict, expected_version: int, actor, arrived_at=None
) -> Submission:
    """ "Save and submit": what the form shows is saved and submitted as one change, judged
    at one instant. Either both happen, or nothing changes (the error says why)."""
    with first_save_races_are_conflicts(), transaction.atomic(durable=True):
        draft = draft_save(call, organisation, data, expected_version, actor, arrived_at=arrived_at, submitting=True)
        # The row stays locked since draft_save: it is the one just changed, in a draft state.
        row = draft.row
        row.call, row.organisation = call, organisation
        row = _ready_to_submit(row)  # may wait for the call's numbering lock
        # Judged at the same arrival, against the deadline the save applied; recorded (and
        # bounded) after the last lock; the draft's changes are written with the state.
        return record_locked(
            PREREGISTRATION,
            row,
            actor=actor,
            at=deadlines.moment(arrived_at),
            applied=draft.applied,
            also_saved=draft.unsaved_fields,
        )
