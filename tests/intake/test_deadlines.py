"""deadlines.py is the only module that compares the clock with a deadline. "12u" is
12:00:00.000000 Europe/Brussels: strictly before is on time, the instant itself is late
(DESIGN.md §2). Deadlines go through the database and back before they are checked, so
the tests also cover how the aware instants are stored.

The reminder moments are computed here too: in Brussels calendar days, also across the
DST changes, each with its window."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from intake import deadlines
from intake.deadlines import ReminderTiming, reminder_moment, reminder_timing, reminder_window
from intake.kernel.enums import Phase, PhaseStatus
from intake.kernel.errors import DeadlinePassed, PhaseNotOpenYet
from intake.kernel.formatting import BRUSSELS
from intake.models import Call, Extension
from tests.factories import CallFactory, OrganisationFactory, UserFactory
from tests.intake.reminder_helpers import D1, D2, D7, H3, MARCH_DEADLINE, OCTOBER_DEADLINE, local

ONE_MICROSECOND = timedelta(microseconds=1)


@pytest.fixture
def third_call(at_brussels):
    """The third call's real deadlines: 23 January 2026 12:00 (CET) and 11 May 2026 12:00 (CEST)."""
    call = CallFactory(
        opens_at=at_brussels(2025, 10, 1, 9),
        preregistration_deadline=at_brussels(2026, 1, 23, 12),
        dossier_deadline=at_brussels(2026, 5, 11, 12),
    )
    # Read back what the database holds: that is what every request compares with.
    return Call.objects.get(pk=call.pk)


@pytest.fixture
def dst_call(at_brussels):
    """Deadlines on the two DST-change Sundays of 2026 (29 March: 02:00→03:00, 25 October: 03:00→02:00)."""
    call = CallFactory(
        opens_at=at_brussels(2026, 1, 1, 9),
        preregistration_deadline=at_brussels(2026, 3, 29, 12),
        dossier_deadline=at_brussels(2026, 10, 25, 12),
    )
    return Call.objects.get(pk=call.pk)


@pytest.mark.django_db
def test_deadline_for_third_call_is_the_utc_instant_of_noon_in_brussels(third_call):
    pre = deadlines.deadline_for(third_call, Phase.PREREGISTRATION)
    dossier = deadlines.deadline_for(third_call, Phase.DOSSIER)

    # January: CET, UTC+1. May: CEST, UTC+2.
    assert pre == datetime(2026, 1, 23, 11, 0, tzinfo=UTC)
    assert dossier == datetime(2026, 5, 11, 10, 0, tzinfo=UTC)
    assert pre.astimezone(UTC).replace(tzinfo=None) == datetime(2026, 1, 23, 11, 0)
    assert dossier.astimezone(UTC).replace(tzinfo=None) == datetime(2026, 5, 11, 10, 0)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("phase", "local"),
    [(Phase.PREREGISTRATION, (2026, 1, 23)), (Phase.DOSSIER, (2026, 5, 11))],
    ids=["preregistration-january", "dossier-may"],
)
def test_is_open_until_the_last_microsecond_before_noon(third_call, at_brussels, phase, local):
    on_time = at_brussels(*local, 11, 59, 59, 999999)
    late = at_brussels(*local, 12, 0, 0, 0)

    assert deadlines.is_open(third_call, phase, now=on_time) is True
    assert deadlines.phase_status(third_call, phase, now=on_time) == PhaseStatus.OPEN
    assert deadlines.is_open(third_call, phase, now=late) is False
    assert deadlines.phase_status(third_call, phase, now=late) == PhaseStatus.CLOSED
    assert deadlines.phase_status(third_call, phase, now=late + timedelta(days=365)) == PhaseStatus.CLOSED


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("phase", "local", "utc"),
    [
        # Last Sunday of March: clocks go 02:00 → 03:00, noon is CEST (UTC+2).
        (Phase.PREREGISTRATION, (2026, 3, 29), datetime(2026, 3, 29, 10, 0, tzinfo=UTC)),
        # Last Sunday of October: clocks go 03:00 → 02:00, noon is CET (UTC+1).
        (Phase.DOSSIER, (2026, 10, 25), datetime(2026, 10, 25, 11, 0, tzinfo=UTC)),
    ],
    ids=["dst-start-march", "dst-end-october"],
)
def test_deadline_on_dst_change_sunday(dst_call, at_brussels, phase, local, utc):
    deadline = deadlines.deadline_for(dst_call, phase)

    assert deadline == utc
    assert deadlines.is_open(dst_call, phase, now=at_brussels(*local, 11, 59, 59, 999999)) is True
    assert deadlines.is_open(dst_call, phase, now=utc - ONE_MICROSECOND) is True
    assert deadlines.is_open(dst_call, phase, now=at_brussels(*local, 12, 0)) is False
    assert deadlines.is_open(dst_call, phase, now=utc) is False
    # The night of the change itself is hours before the deadline.
    assert deadlines.is_open(dst_call, phase, now=datetime(*local, 1, 30, tzinfo=UTC)) is True


@pytest.mark.django_db
def test_deadline_on_dst_end_is_not_an_hour_off_in_utc(dst_call, at_brussels):
    # 11:00 UTC on 25 October 2026 is 12:00 CET; one hour earlier (10:00 UTC, the CEST
    # reading of "12:00") is 11:00 local and must still be open.
    assert deadlines.is_open(dst_call, Phase.DOSSIER, now=datetime(2026, 10, 25, 10, 0, tzinfo=UTC)) is True
    assert deadlines.phase_summary(dst_call, Phase.DOSSIER, now=datetime(2026, 10, 25, 10, 0, tzinfo=UTC)).time_left == timedelta(
        hours=1
    )


@pytest.mark.django_db
def test_deadline_time_left_spans_the_dst_change(dst_call, at_brussels):
    # From Saturday noon to Sunday noon across the spring change is 23 real hours.
    saturday_noon = at_brussels(2026, 3, 28, 12)

    assert deadlines.phase_summary(dst_call, Phase.PREREGISTRATION, now=saturday_noon).time_left == timedelta(hours=23)
    assert deadlines.phase_summary(dst_call, Phase.PREREGISTRATION, now=at_brussels(2026, 3, 29, 12)).time_left == timedelta(0)


@pytest.mark.django_db
def test_phase_status_upcoming_before_opens_at(third_call):
    opens_at = third_call.opens_at

    for phase in (Phase.PREREGISTRATION, Phase.DOSSIER):
        assert deadlines.phase_status(third_call, phase, now=opens_at - ONE_MICROSECOND) == PhaseStatus.UPCOMING
        assert deadlines.is_open(third_call, phase, now=opens_at - ONE_MICROSECOND) is False
        assert deadlines.phase_status(third_call, phase, now=opens_at) == PhaseStatus.OPEN


@pytest.mark.django_db
def test_ensure_open_raises_phase_not_open_yet_with_opens_at(third_call):
    organisation = OrganisationFactory()

    with pytest.raises(PhaseNotOpenYet) as excinfo:
        deadlines.ensure_open(third_call, Phase.PREREGISTRATION, organisation, now=third_call.opens_at - ONE_MICROSECOND)

    assert excinfo.value.opens_at == third_call.opens_at
    assert excinfo.value.code == "not_open_yet"


@pytest.mark.django_db
@pytest.mark.parametrize("phase", [Phase.PREREGISTRATION, Phase.DOSSIER])
def test_ensure_open_raises_deadline_passed_at_the_deadline_instant(third_call, phase):
    organisation = OrganisationFactory()
    deadline = third_call.phase_deadline(phase)

    applied = deadlines.ensure_open(third_call, phase, organisation, now=deadline - ONE_MICROSECOND)
    with pytest.raises(DeadlinePassed) as excinfo:
        deadlines.ensure_open(third_call, phase, organisation, now=deadline)

    assert applied.deadline == deadline
    assert applied.extension is None
    assert excinfo.value.deadline == deadline
    assert excinfo.value.code == "deadline_passed"


@pytest.mark.django_db
def test_applied_deadline_without_extension_is_the_calls(third_call):
    applied = deadlines.applied_deadline(third_call, Phase.PREREGISTRATION, OrganisationFactory())

    assert applied.deadline == third_call.preregistration_deadline
    assert applied.extension is None
    assert deadlines.applied_deadline(third_call, Phase.DOSSIER).deadline == third_call.dossier_deadline


@pytest.mark.django_db
def test_extension_moves_the_deadline_for_that_organisation_only(third_call, at_brussels):
    extended, other = OrganisationFactory(), OrganisationFactory()
    new_deadline = at_brussels(2026, 1, 30, 17)
    extension = Extension.objects.create(
        call=third_call,
        organisation=extended,
        phase=Phase.PREREGISTRATION,
        deadline=new_deadline,
        reason="Overmacht: brand in het kantoor.",
        granted_by=UserFactory(),
    )
    at_call_deadline = third_call.preregistration_deadline

    # The other organisation closes at the call's deadline ...
    assert deadlines.deadline_for(third_call, Phase.PREREGISTRATION, other) == at_call_deadline
    assert deadlines.is_open(third_call, Phase.PREREGISTRATION, other, now=at_call_deadline) is False
    with pytest.raises(DeadlinePassed) as excinfo:
        deadlines.ensure_open(third_call, Phase.PREREGISTRATION, other, now=at_call_deadline)
    assert excinfo.value.deadline == at_call_deadline

    # ... while the extended one is open until its own deadline, and closed at it.
    assert deadlines.deadline_for(third_call, Phase.PREREGISTRATION, extended) == new_deadline
    assert deadlines.is_open(third_call, Phase.PREREGISTRATION, extended, now=at_call_deadline) is True
    assert deadlines.is_open(third_call, Phase.PREREGISTRATION, extended, now=new_deadline - ONE_MICROSECOND) is True
    assert deadlines.is_open(third_call, Phase.PREREGISTRATION, extended, now=new_deadline) is False
    applied = deadlines.ensure_open(third_call, Phase.PREREGISTRATION, extended, now=at_call_deadline)
    assert applied.deadline == new_deadline
    assert applied.extension == extension
    with pytest.raises(DeadlinePassed) as excinfo:
        deadlines.ensure_open(third_call, Phase.PREREGISTRATION, extended, now=new_deadline)
    assert excinfo.value.deadline == new_deadline

    # The call-wide view (no organisation) and the other phase are untouched.
    assert deadlines.deadline_for(third_call, Phase.PREREGISTRATION) == at_call_deadline
    assert deadlines.deadline_for(third_call, Phase.DOSSIER, extended) == third_call.dossier_deadline


@pytest.mark.django_db
def test_extension_earlier_than_the_call_deadline_does_not_shorten_it(third_call, at_brussels):
    organisation = OrganisationFactory()
    Extension.objects.create(
        call=third_call,
        organisation=organisation,
        phase=Phase.DOSSIER,
        deadline=at_brussels(2026, 5, 1, 12),
        reason="Vergissing",
        granted_by=UserFactory(),
    )

    applied = deadlines.applied_deadline(third_call, Phase.DOSSIER, organisation)

    assert applied.deadline == third_call.dossier_deadline
    assert applied.extension is None


@pytest.mark.django_db
def test_phase_summary_reports_status_deadline_extension_and_time_left(third_call, at_brussels):
    extended = OrganisationFactory()
    extension = Extension.objects.create(
        call=third_call,
        organisation=extended,
        phase=Phase.PREREGISTRATION,
        deadline=at_brussels(2026, 1, 26, 12),
        reason="Storing van het portaal.",
        granted_by=UserFactory(),
    )
    now = at_brussels(2026, 1, 22, 10, 30)

    summary = deadlines.phase_summary(third_call, Phase.PREREGISTRATION, now=now)
    extended_summary = deadlines.phase_summary(third_call, Phase.PREREGISTRATION, extended, now=now)
    closed = deadlines.phase_summary(third_call, Phase.PREREGISTRATION, now=at_brussels(2026, 1, 23, 12))
    upcoming = deadlines.phase_summary(third_call, Phase.DOSSIER, now=at_brussels(2025, 9, 30, 12))

    assert summary.phase == Phase.PREREGISTRATION
    assert summary.status == PhaseStatus.OPEN
    assert summary.is_open and not summary.is_closed and not summary.is_upcoming
    assert summary.opens_at == third_call.opens_at
    assert summary.deadline == third_call.preregistration_deadline
    assert summary.extension is None
    assert summary.time_left == timedelta(days=1, hours=1, minutes=30)

    assert extended_summary.deadline == at_brussels(2026, 1, 26, 12)
    assert extended_summary.extension == extension
    assert extended_summary.time_left == timedelta(days=4, hours=1, minutes=30)

    assert closed.status == PhaseStatus.CLOSED
    assert closed.is_closed
    assert closed.time_left == timedelta(0)

    assert upcoming.status == PhaseStatus.UPCOMING
    assert upcoming.is_upcoming
    assert upcoming.deadline == third_call.dossier_deadline


@pytest.mark.django_db
def test_phase_status_reads_the_clock_when_no_now_is_given(third_call, at_brussels):
    with time_machine.travel(at_brussels(2026, 1, 23, 11, 59, 59, 999999), tick=False):
        assert deadlines.is_open(third_call, Phase.PREREGISTRATION) is True
    with time_machine.travel(at_brussels(2026, 1, 23, 12), tick=False):
        assert deadlines.is_open(third_call, Phase.PREREGISTRATION) is False
        assert deadlines.phase_summary(third_call, Phase.PREREGISTRATION).is_closed


# --- Reminder moments: Brussels calendar days across DST -------------------------------------


@pytest.mark.parametrize(
    ("deadline", "offset", "local_moment", "utc_moment"),
    [
        # March: the clocks go forward on Sunday 29 March at 02:00.
        (MARCH_DEADLINE, D1, local(2026, 3, 29, 12), datetime(2026, 3, 29, 10, tzinfo=UTC)),
        (MARCH_DEADLINE, D2, local(2026, 3, 28, 12), datetime(2026, 3, 28, 11, tzinfo=UTC)),  # 47 real hours
        (MARCH_DEADLINE, D7, local(2026, 3, 23, 12), datetime(2026, 3, 23, 11, tzinfo=UTC)),  # 167 real hours
        (MARCH_DEADLINE, H3, local(2026, 3, 30, 9), datetime(2026, 3, 30, 7, tzinfo=UTC)),
        # October: the clocks go back on Sunday 25 October at 03:00.
        (OCTOBER_DEADLINE, D1, local(2026, 10, 25, 12), datetime(2026, 10, 25, 11, tzinfo=UTC)),
        (OCTOBER_DEADLINE, D2, local(2026, 10, 24, 12), datetime(2026, 10, 24, 10, tzinfo=UTC)),  # 49 real hours
        (OCTOBER_DEADLINE, D7, local(2026, 10, 19, 12), datetime(2026, 10, 19, 10, tzinfo=UTC)),  # 169 real hours
        (OCTOBER_DEADLINE, H3, local(2026, 10, 26, 9), datetime(2026, 10, 26, 8, tzinfo=UTC)),
    ],
    ids=["march-1d", "march-2d", "march-7d", "march-3h", "october-1d", "october-2d", "october-7d", "october-3h"],
)
def test_reminder_moment_counts_days_in_brussels_calendar_days(deadline, offset, local_moment, utc_moment):
    moment = reminder_moment(deadline, offset)

    assert moment == utc_moment
    in_brussels = moment.astimezone(BRUSSELS)
    assert (in_brussels.date(), in_brussels.hour, in_brussels.minute) == (local_moment.date(), local_moment.hour, 0)
    assert reminder_timing(deadline, offset, now=moment - timedelta(microseconds=1)) == ReminderTiming.EARLY
    assert reminder_timing(deadline, offset, now=moment) == ReminderTiming.DUE


@pytest.mark.parametrize(
    ("offset", "window"),
    [
        (timedelta(days=14), timedelta(days=3, hours=12)),
        (D7, timedelta(hours=42)),
        (D2, timedelta(hours=12)),
        (D1, timedelta(hours=6)),
        (H3, timedelta(minutes=45)),
        (timedelta(hours=1), timedelta(minutes=15)),
        (timedelta(minutes=30), timedelta(minutes=15)),  # never less than 15 minutes
    ],
)
def test_reminder_window_is_a_quarter_of_the_offset_at_least_15_minutes(offset, window):
    assert reminder_window(offset) == window


@pytest.mark.parametrize("deadline", [MARCH_DEADLINE, OCTOBER_DEADLINE], ids=["march", "october"])
@pytest.mark.parametrize("offset", [D7, D2, D1, H3], ids=["7d", "2d", "1d", "3h"])
def test_reminder_timing_due_just_inside_the_window_stale_just_outside(deadline, offset):
    due_at = reminder_moment(deadline, offset)
    window = reminder_window(offset)

    assert reminder_timing(deadline, offset, now=due_at + window) == ReminderTiming.DUE
    assert reminder_timing(deadline, offset, now=due_at + window + timedelta(microseconds=1)) == ReminderTiming.STALE


@pytest.mark.parametrize("offset", [timedelta(minutes=10), H3, D1])
def test_reminder_timing_is_passed_from_the_deadline_instant(offset):
    assert reminder_timing(MARCH_DEADLINE, offset, now=MARCH_DEADLINE) == ReminderTiming.PASSED
    assert reminder_timing(MARCH_DEADLINE, offset, now=MARCH_DEADLINE + timedelta(days=3)) == ReminderTiming.PASSED
    # A "10 minutes before" reminder is still due one microsecond before the deadline.
    assert reminder_timing(MARCH_DEADLINE, timedelta(minutes=10), now=MARCH_DEADLINE - timedelta(microseconds=1)) == (
        ReminderTiming.DUE
    )
