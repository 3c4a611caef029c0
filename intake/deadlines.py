"""The one module that compares a moment with a deadline (DESIGN.md §4).

Every view, form, template, task and admin action asks here whether a phase is open and
what deadline applies. "12u" is 12:00:00.000000 Europe/Brussels on that date: a moment
strictly before it is on time, the instant itself is late. Deadlines are stored as aware
datetimes, so CET/CEST is the database's and zoneinfo's business, not ours.

Functions take ``now`` as a keyword so that callers (and tests) can fix the instant;
without it they read the clock once, through ``clock()``.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from intake.kernel.enums import Phase, PhaseStatus
from intake.kernel.errors import DeadlinePassed, NotServedInTime, PhaseNotOpenYet
from intake.kernel.formatting import BRUSSELS
from intake.models import Call, Extension


def clock() -> datetime:
    """The portal's clock: the instant a change is recorded (read after the row lock)."""
    return timezone.now()


def invitation_valid_until(*, now: datetime) -> datetime:
    """An invitation made at ``now`` works until this instant (INVITATION_VALID_DAYS later):
    a link lying in a mailbox must not let someone join years on."""
    return now + timedelta(days=settings.INVITATION_VALID_DAYS)


def invitation_expired(invitation, *, now: datetime | None = None) -> bool:
    return (now or clock()) >= invitation.expires_at


# --- The instant a request is judged by ------------------------------------------------------
#
# A change is judged by the instant its request *reached the portal* (DESIGN.md §2): the
# trusted front proxy's request-start time, otherwise the application server's accept time
# (clusterportal.arrival puts it on the request), never by when a busy worker got to it.
# Services take it as ``arrived_at``; without one (a task, a command, a test calling a
# service) the clock decides.


@dataclass(frozen=True)
class Moment:
    judged: datetime  # what the deadline is compared with: the arrival, or the clock
    recorded: datetime  # the clock, read when the change is written


def moment(arrived_at: datetime | None = None) -> Moment:
    """The instants of a change being written now, for a request that arrived at ``arrived_at``."""
    recorded = clock()
    return Moment(judged=arrived_at if arrived_at is not None else recorded, recorded=recorded)


def max_service_delay() -> timedelta:
    """How long a request may wait between arriving and being recorded. Past it the portal
    no longer vouches for the arrival instant, and refuses (NotServedInTime) instead."""
    return timedelta(seconds=settings.ARRIVAL_MAX_WAIT_SECONDS)


def extension_for(call, phase: str, organisation):
    """The extension granted to this organisation for this phase, or None."""
    if organisation is None:
        return None
    return Extension.objects.filter(call=call, organisation=organisation, phase=phase).first()


@dataclass(frozen=True)
class AppliedDeadline:
    deadline: datetime
    extension: object | None  # the Extension row when one moved the deadline


def applied_deadline(call, phase: str, organisation=None) -> AppliedDeadline:
    """The deadline that applies to an organisation in a phase: the call's, or a later
    one from an extension granted to that organisation."""
    call_deadline = call.phase_deadline(phase)
    extension = extension_for(call, phase, organisation)
    if extension is not None and extension.deadline > call_deadline:
        return AppliedDeadline(extension.deadline, extension)
    return AppliedDeadline(call_deadline, None)


def deadline_for(call, phase: str, organisation=None) -> datetime:
    return applied_deadline(call, phase, organisation).deadline


def _status(opens_at: datetime, deadline: datetime, moment: datetime) -> str:
    if moment < opens_at:
        return PhaseStatus.UPCOMING
    if moment < deadline:  # strictly before: the deadline instant itself is late
        return PhaseStatus.OPEN
    return PhaseStatus.CLOSED


def phase_status(call, phase: str, organisation=None, *, now: datetime | None = None) -> str:
    moment = now if now is not None else clock()
    return _status(call.opens_at, deadline_for(call, phase, organisation), moment)


def is_open(call, phase: str, organisation=None, *, now: datetime | None = None) -> bool:
    return phase_status(call, phase, organisation, now=now) == PhaseStatus.OPEN


def remaining(deadline: datetime, *, now: datetime) -> timedelta:
    """Time left until ``deadline`` at ``now``; zero once it has passed."""
    return max(deadline - now, timedelta(0))


def is_closed(call, phase: str, organisation=None, *, now: datetime | None = None) -> bool:
    """The deadline that applies to the organisation has passed: nothing new is accepted."""
    return phase_status(call, phase, organisation, now=now) == PhaseStatus.CLOSED


def is_final(call, phase: str, organisation=None, *, now: datetime | None = None) -> bool:
    """The last version submitted on time is final: the deadline has passed *and* every
    request that arrived before it has been recorded or refused (it may be processed up to
    ``max_service_delay`` later). Only then may the agency assess what was submitted."""
    moment = now if now is not None else clock()
    return moment >= deadline_for(call, phase, organisation) + max_service_delay()


def submitted_on_time(submission) -> bool:
    """Was a recorded submission on time? Strictly before the deadline that applied to it
    (recorded with it, extension included): the deadline instant itself is late."""
    return submission.submitted_at < submission.deadline


def ensure_open(
    call, phase: str, organisation, *, now: datetime, recorded_at: datetime | None = None, subject=None, applied=None
) -> AppliedDeadline:
    """Raise PhaseNotOpenYet or DeadlinePassed unless the phase accepts changes at ``now``
    (the instant the change is judged by). With ``recorded_at``, also NotServedInTime when
    an on-time change is written too long after that instant. ``subject`` (the row being
    changed) goes with a DeadlinePassed, for the record of the late attempt. ``applied``:
    the deadline already looked up for this change in the same transaction."""
    if applied is None:
        applied = applied_deadline(call, phase, organisation)
    status = _status(call.opens_at, applied.deadline, now)
    if status == PhaseStatus.UPCOMING:
        raise PhaseNotOpenYet(call.opens_at)
    if status == PhaseStatus.CLOSED:
        raise DeadlinePassed(applied.deadline, call=call, phase=phase, organisation=organisation, judged_at=now, subject=subject)
    if recorded_at is not None and recorded_at - now > max_service_delay():
        raise NotServedInTime(now)
    return applied


def ensure_open_at(call, phase: str, organisation, at: Moment, *, subject=None, applied=None) -> AppliedDeadline:
    return ensure_open(call, phase, organisation, now=at.judged, recorded_at=at.recorded, subject=subject, applied=applied)


def next_public_change(*, now: datetime) -> datetime | None:
    """The first instant after ``now`` at which a published call opens or closes a phase:
    what a public page says about its calls may change then (intake.web.public_cache)."""
    instants = [
        instant
        for row in Call.objects.filter(is_published=True).values_list("opens_at", "preregistration_deadline", "dossier_deadline")
        for instant in row
        if instant > now
    ]
    return min(instants, default=None)


def not_closed_filter(*, now: datetime) -> dict:
    """Queryset filter for calls whose dossier deadline has not passed at ``now``
    (open and upcoming calls, for the home page)."""
    return {"dossier_deadline__gt": now}


@dataclass(frozen=True)
class PhaseSummary:
    """What a page shows about a phase for one organisation at one instant."""

    phase: str
    status: str
    opens_at: datetime
    deadline: datetime
    extension: object | None
    time_left: timedelta

    @property
    def is_open(self) -> bool:
        return self.status == PhaseStatus.OPEN

    @property
    def is_upcoming(self) -> bool:
        return self.status == PhaseStatus.UPCOMING

    @property
    def is_closed(self) -> bool:
        return self.status == PhaseStatus.CLOSED


def phase_summary(call, phase: str, organisation=None, *, now: datetime | None = None) -> PhaseSummary:
    moment = now if now is not None else clock()
    applied = applied_deadline(call, phase, organisation)
    return PhaseSummary(
        phase=phase,
        status=_status(call.opens_at, applied.deadline, moment),
        opens_at=call.opens_at,
        deadline=applied.deadline,
        extension=applied.extension,
        time_left=remaining(applied.deadline, now=moment),
    )


def call_summaries(call, organisation=None, *, now: datetime | None = None) -> dict[str, PhaseSummary]:
    moment = now if now is not None else clock()
    return {phase: phase_summary(call, phase, organisation, now=moment) for phase in (Phase.PREREGISTRATION, Phase.DOSSIER)}


# --- Reminders ------------------------------------------------------------------------------

REMINDER_MIN_WINDOW = timedelta(minutes=15)


def reminder_window(offset: timedelta) -> timedelta:
    """How late a reminder may still go out: a quarter of its offset, at least 15 minutes.
    A "7 days left" mail sent two days late would mislead; one sent an hour late does not."""
    return max(offset / 4, REMINDER_MIN_WINDOW)


class ReminderTiming:
    EARLY = "early"  # its moment has not come
    DUE = "due"  # send now
    STALE = "stale"  # its moment passed more than its window ago: record as skipped
    PASSED = "passed"  # the deadline itself has passed: nothing to remind of


def reminder_moment(deadline: datetime, offset: timedelta) -> datetime:
    """When a reminder ``offset`` before ``deadline`` is due. A whole number of days counts
    in Brussels calendar days ("1 day before" Monday 12:00 is Sunday 12:00 local time, also
    across a DST change, when that is 23 or 25 real hours); any other offset ("3h", "36h")
    counts in real time."""
    if offset.seconds or offset.microseconds:
        return deadline - offset  # "36h", "3h": real time, on the aware instant
    wall = deadline.astimezone(BRUSSELS).replace(tzinfo=None) - timedelta(days=offset.days)
    return wall.replace(tzinfo=BRUSSELS).astimezone(UTC)


def reminder_timing(deadline: datetime, offset: timedelta, *, now: datetime) -> str:
    """Where a reminder ``offset`` before ``deadline`` stands at ``now``."""
    if now >= deadline:
        return ReminderTiming.PASSED
    due_at = reminder_moment(deadline, offset)
    if now < due_at:
        return ReminderTiming.EARLY
    if now - due_at > reminder_window(offset):
        return ReminderTiming.STALE
    return ReminderTiming.DUE


def calls_with_deadlines_ahead_filter(*, now: datetime):
    """Q for calls with a deadline (or any extension) still ahead: the sweep's scope."""
    return Q(preregistration_deadline__gt=now) | Q(dossier_deadline__gt=now) | Q(extensions__deadline__gt=now)


def phase_deadline_ahead(call, phase: str, *, now: datetime) -> bool:
    """Is the call's deadline of a phase, or any organisation's extension of it, still ahead?"""
    if now < call.phase_deadline(phase):
        return True
    return Extension.objects.filter(call=call, phase=phase, deadline__gt=now).exists()


def deadlines_by_organisation(call, phase: str):
    """A function organisation_id -> the deadline that applies to it, for many
    organisations at once (one query): the call's, or a later one from an extension."""
    call_deadline = call.phase_deadline(phase)
    extended = dict(Extension.objects.filter(call=call, phase=phase).values_list("organisation_id", "deadline"))

    def applied(organisation_id) -> datetime:
        return max(call_deadline, extended.get(organisation_id, call_deadline))

    return applied
