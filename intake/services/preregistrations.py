"""The pre-registration: drafts with optimistic locking, withdrawal and reopening before the
deadline. Submitting is intake.services.submissions."""

from contextlib import contextmanager
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from intake import deadlines
from intake.audit import records_late_attempts
from intake.kernel.enums import DossierState, Phase, PreRegistrationState
from intake.kernel.errors import AlreadySubmitted, DomainError, EditConflict
from intake.models import Call, Dossier, Organisation, PreRegistration
from intake.workflow import transition


@records_late_attempts
def preregistration_save_draft(
    *, call: Call, organisation: Organisation, data: dict, expected_version: int, actor, arrived_at=None
) -> PreRegistration:
    """Save the draft of an organisation's pre-registration.

    ``expected_version`` is the version the user's form was based on (0 when the form was
    opened before any draft existed). A different stored version means a colleague saved
    in between: EditConflict, and nothing is written."""
    with first_save_races_are_conflicts(), transaction.atomic():
        return draft_save(call, organisation, data, expected_version, actor, arrived_at=arrived_at).row


@contextmanager
def first_save_races_are_conflicts():
    """Two first saves racing to create the row: the loser gets an edit conflict, not an
    error page (the unique constraint on call and organisation decides)."""
    try:
        yield
    except IntegrityError:
        raise EditConflict() from None


@dataclass(frozen=True)
class Draft:
    row: PreRegistration  # locked by the caller's transaction
    applied: deadlines.AppliedDeadline  # the deadline the change was judged against
    unsaved_fields: tuple = ()  # changed on ``row`` and left for the caller's write


def draft_save(call, organisation, data, expected_version, actor, *, arrived_at=None, submitting=False) -> Draft:
    """The draft save itself, inside the caller's transaction: the row is locked, then the
    change is judged (at the request's arrival; the clock, read after the lock, without
    one). ``submitting``: the caller submits next, so a submitted row is AlreadySubmitted,
    and an existing row's changes are left for the submission's write (one UPDATE)."""
    preregistration = PreRegistration.objects.select_for_update().filter(call=call, organisation=organisation).first()
    applied = deadlines.ensure_open_at(
        call, Phase.PREREGISTRATION, organisation, deadlines.moment(arrived_at), subject=preregistration
    )
    if preregistration is None:
        if expected_version != 0:
            raise EditConflict()
        preregistration = PreRegistration(call=call, organisation=organisation, version=0)
    else:
        if submitting and preregistration.state == PreRegistrationState.SUBMITTED:
            # A second click on "save and submit": the first one did both.
            raise AlreadySubmitted(preregistration.submissions.order_by("-version").first())
        if preregistration.state != PreRegistrationState.DRAFT:
            raise DomainError(_("This pre-registration has been submitted and can no longer be changed."))
        if preregistration.version != expected_version:
            raise EditConflict(saved_by=preregistration.updated_by, saved_at=preregistration.updated_at)
    for field in PreRegistration.CONTENT_FIELDS:
        if field in data:
            setattr(preregistration, field, data[field])
    preregistration.version += 1
    preregistration.updated_by = actor
    if submitting and preregistration.pk is not None:
        changed = (*(f for f in PreRegistration.CONTENT_FIELDS if f in data), "version", "updated_by")
        return Draft(preregistration, applied, changed)
    preregistration.save()
    return Draft(preregistration, applied)


def _lock_while_open(preregistration_id: int, arrived_at) -> PreRegistration:
    """Lock the row; refuse unless the deadline that applies had not passed on arrival."""
    preregistration = (
        PreRegistration.objects.select_for_update(of=("self",)).select_related("call", "organisation").get(pk=preregistration_id)
    )
    at = deadlines.moment(arrived_at)
    deadlines.ensure_open_at(
        preregistration.call, Phase.PREREGISTRATION, preregistration.organisation, at, subject=preregistration
    )
    return preregistration


@records_late_attempts
def preregistration_withdraw(*, preregistration_id: int, actor, note: str = "", arrived_at=None) -> PreRegistration:
    """Withdraw a submitted pre-registration; only before the deadline that applies."""
    with transaction.atomic(durable=True):
        preregistration = _lock_while_open(preregistration_id, arrived_at)
        # The dossier rests on the pre-registration: a submitted dossier must be withdrawn first.
        if Dossier.objects.filter(preregistration=preregistration, state=DossierState.SUBMITTED).exists():
            raise DomainError(_("Your full dossier has been submitted. Withdraw the dossier first."))
        return transition(preregistration, PreRegistrationState.WITHDRAWN, actor=actor, note=note)


@records_late_attempts
def preregistration_reopen(*, preregistration_id: int, actor, arrived_at=None) -> PreRegistration:
    """Turn a withdrawn pre-registration back into a draft, before the deadline."""
    with transaction.atomic(durable=True):
        preregistration = _lock_while_open(preregistration_id, arrived_at)
        # A new version makes forms opened before the withdrawal stale.
        preregistration.version += 1
        return transition(preregistration, PreRegistrationState.DRAFT, actor=actor, extra_fields=["version"])
