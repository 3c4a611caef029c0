"""Deadline reminders (DESIGN.md §6): who is reminded of what, and the sweep that decides,
records and queues them. The sweep runs on a plain UTC interval (Celery beat) or by hand
(``manage.py send_due_reminders``); timing rules live in deadlines.py.

Exactly once: every reminder the sweep decides to send is inserted with its unique key
(call, phase, offset, recipient) in the same transaction that queues its e-mail. A second
sweep running at the same time inserts nothing for that key (ON CONFLICT DO NOTHING) and
so queues nothing; sending itself is idempotent (intake.messaging.outbox)."""

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.urls import reverse

from intake import deadlines
from intake.kernel.enums import DossierState, Phase, PreRegistrationState, ReminderStatus
from intake.kernel.signing import unfollow_token
from intake.messaging.outbox import outbox_build, outbox_send_on_commit
from intake.models import (
    Call,
    CallFollow,
    Dossier,
    Membership,
    OutboxMessage,
    PreRegistration,
    Reminder,
    UserSettings,
)

DRAFT, FOLLOW, DOSSIER = "draft", "follow", "dossier"


@dataclass(frozen=True)
class Candidate:
    recipient: object  # User
    organisation: object | None
    deadline: datetime
    reason: str  # DRAFT, FOLLOW or DOSSIER: said in the e-mail, so people know why it arrives


@dataclass
class SweepResult:
    queued: list = field(default_factory=list)  # Reminder rows queued by this sweep
    skipped: list = field(default_factory=list)  # recorded as skipped (too late to be useful)
    dry_run: bool = False


def _members_of(organisation_ids) -> list[Membership]:
    return list(Membership.objects.filter(organisation_id__in=organisation_ids).select_related("user", "organisation"))


def audience(call, phase: str) -> list[Candidate]:
    """Who gets the reminders of a phase, each with the deadline that applies to them (an
    extension moves it). One candidate per person: the earliest deadline wins."""
    applied = deadlines.deadlines_by_organisation(call, phase)
    call_deadline = call.phase_deadline(phase)
    candidates: dict[int, Candidate] = {}

    def add(candidate: Candidate):
        current = candidates.get(candidate.recipient.pk)
        if current is None or candidate.deadline < current.deadline:
            candidates[candidate.recipient.pk] = candidate

    if phase == Phase.PREREGISTRATION:
        drafts = PreRegistration.objects.filter(call=call, state=PreRegistrationState.DRAFT).values_list(
            "organisation_id", flat=True
        )
        for membership in _members_of(drafts):
            add(Candidate(membership.user, membership.organisation, applied(membership.organisation_id), DRAFT))
        # Followers, unless one of their organisations already pre-registered.
        done = set(
            Membership.objects.filter(
                organisation__preregistrations__call=call,
                organisation__preregistrations__state=PreRegistrationState.SUBMITTED,
            ).values_list("user_id", flat=True)
        )
        for follow in CallFollow.objects.filter(call=call, active=True).select_related("user"):
            if follow.user_id not in done and follow.user_id not in candidates:
                add(Candidate(follow.user, None, call_deadline, FOLLOW))
    else:
        submitted = PreRegistration.objects.filter(call=call, state=PreRegistrationState.SUBMITTED).values_list(
            "organisation_id", flat=True
        )
        finished = Dossier.objects.filter(call=call).exclude(state=DossierState.DRAFT).values_list("organisation_id", flat=True)
        for membership in _members_of(set(submitted) - set(finished)):
            add(Candidate(membership.user, membership.organisation, applied(membership.organisation_id), DOSSIER))
    return list(candidates.values())


def _offset_minutes(offset: timedelta) -> int:
    return int(offset.total_seconds() // 60)


def _plan(call, *, now, sweep: str) -> list[Reminder]:
    """Reminder rows (unsaved) that are due or stale now and not recorded yet."""
    offsets = call.reminder_offset_list
    existing = set(Reminder.objects.filter(call=call).values_list("phase", "offset_minutes", "recipient_id"))
    rows = []
    for phase in (Phase.PREREGISTRATION, Phase.DOSSIER):
        if not deadlines.phase_deadline_ahead(call, phase, now=now):
            continue
        for candidate in audience(call, phase):
            for offset in offsets:
                minutes = _offset_minutes(offset)
                if (phase, minutes, candidate.recipient.pk) in existing:
                    continue
                timing = deadlines.reminder_timing(candidate.deadline, offset, now=now)
                if timing in (deadlines.ReminderTiming.EARLY, deadlines.ReminderTiming.PASSED):
                    continue
                rows.append(
                    Reminder(
                        call=call,
                        phase=phase,
                        offset_minutes=minutes,
                        recipient=candidate.recipient,
                        organisation=candidate.organisation,
                        deadline=candidate.deadline,
                        due_at=deadlines.reminder_moment(candidate.deadline, offset),
                        reason=candidate.reason,
                        status=ReminderStatus.PLANNED if timing == deadlines.ReminderTiming.DUE else ReminderStatus.SKIPPED,
                        sweep=sweep,
                    )
                )
    return rows


def reminder_message(reminder: Reminder, *, language: str) -> OutboxMessage:
    call = reminder.call
    if reminder.phase == Phase.PREREGISTRATION:
        path = reverse("intake:preregistration", kwargs={"slug": call.slug})
    else:
        path = reverse("intake:dossier", kwargs={"slug": call.slug})
    if reminder.organisation_id:
        path += f"?organisation={reminder.organisation_id}"
    context = {
        "reminder": reminder,
        "call": call,
        "phase_label": Phase(reminder.phase).label,
        "deadline": reminder.deadline,
        # The configured offset ("7 days before"), not a countdown to the instant: sent on
        # time, a "7d" reminder before a deadline after the change to summer time is 6 days
        # and 23 hours early, and it still is the "7 days" reminder.
        "lead_time": timedelta(minutes=reminder.offset_minutes),
        "organisation": reminder.organisation,
        "action_path": path,
        "unfollow_path": reverse("intake:call_unfollow", kwargs={"token": unfollow_token(reminder.recipient, call)})
        if reminder.reason == FOLLOW
        else "",
    }
    return outbox_build(
        to=reminder.recipient.email, template="reminder", context=context, user=reminder.recipient, language=language
    )


def reminders_sweep(*, now: datetime | None = None, dry_run: bool = False) -> SweepResult:
    """Decide, record and queue the reminders due at ``now``."""
    now = now or deadlines.clock()
    sweep = uuid.uuid4().hex
    result = SweepResult(dry_run=dry_run)
    calls = Call.objects.filter(deadlines.calls_with_deadlines_ahead_filter(now=now), is_published=True).distinct()
    for call in calls:
        rows = _plan(call, now=now, sweep=sweep)
        if dry_run:
            result.queued += [r for r in rows if r.status == ReminderStatus.PLANNED]
            result.skipped += [r for r in rows if r.status == ReminderStatus.SKIPPED]
            continue
        # In slices, each its own commit: the worker starts sending the first reminders
        # while the sweep still renders the next ones. A sweep cut off between two slices
        # is finished by the next one (a reminder is recorded once: unique per recipient
        # and offset, inserted with ignore_conflicts).
        for start in range(0, len(rows), SWEEP_SLICE):
            _record_and_queue(rows[start : start + SWEEP_SLICE], sweep=uuid.uuid4().hex, result=result)
    return result


SWEEP_SLICE = 500


def _record_and_queue(rows, *, sweep, result) -> None:
    for row in rows:
        row.sweep = sweep  # this slice's own token: the rows it inserted are the ones it sends
    with transaction.atomic():
        Reminder.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
        # Only the rows this sweep inserted carry its token: those it may send.
        mine = list(
            Reminder.objects.filter(
                sweep=sweep,
                call_id__in={r.call_id for r in rows},
                status__in=[ReminderStatus.PLANNED, ReminderStatus.SKIPPED],
            ).select_related("call", "recipient", "organisation")
        )
        due = [r for r in mine if r.status == ReminderStatus.PLANNED]
        languages = dict(
            UserSettings.objects.filter(user_id__in={r.recipient_id for r in due}).values_list("user_id", "language")
        )
        messages = OutboxMessage.objects.bulk_create(
            [reminder_message(r, language=languages.get(r.recipient_id, "nl")) for r in due], batch_size=500
        )
        for reminder, message in zip(due, messages, strict=True):
            reminder.outbox = message
            reminder.status = ReminderStatus.QUEUED
        Reminder.objects.bulk_update(due, ["outbox", "status"], batch_size=500)
        outbox_send_on_commit([m.pk for m in messages])
    result.queued += due
    result.skipped += [r for r in mine if r.status == ReminderStatus.SKIPPED]
