"""Deadline reminders (DESIGN.md §6): when each reminder is due (in Brussels calendar days,
also across the DST changes), who gets which reminder, extensions and deadline changes,
at most once per (call, phase, offset, recipient), the hand-run command, and what the
e-mail says. Unit tests: Celery runs eagerly, e-mail goes to the locmem outbox."""

import io
import re
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import gettext

from intake.deadlines import ReminderTiming, reminder_moment, reminder_timing, reminder_window
from intake.kernel.enums import DossierState, OutboxStatus, Phase, PreRegistrationState, ReminderStatus, Role
from intake.kernel.formatting import BRUSSELS, format_brussels, format_brussels_long
from intake.messaging.reminders import DOSSIER, DRAFT, FOLLOW, audience, reminders_sweep
from intake.models import CallFollow, Dossier, Extension, Membership, OutboxMessage, Reminder
from intake.services.following import call_follow_set, user_language_set
from tests.auth import sign_in
from tests.factories import CallFactory, OrganisationFactory, PreRegistrationFactory, UserFactory

D1, D2, D7, H3 = timedelta(days=1), timedelta(days=2), timedelta(days=7), timedelta(hours=3)
DAY = 24 * 60  # offset_minutes of "1d"

# Monday 30 March 2026 follows the last Sunday of March: on Sunday 29 March at 02:00 CET
# the clocks go to 03:00 CEST. Monday 26 October 2026 follows the last Sunday of October:
# on Sunday 25 October at 03:00 CEST the clocks go back to 02:00 CET.
MARCH_DEADLINE = datetime(2026, 3, 30, 12, tzinfo=BRUSSELS)  # 10:00 UTC
OCTOBER_DEADLINE = datetime(2026, 10, 26, 12, tzinfo=BRUSSELS)  # 11:00 UTC


def local(*args) -> datetime:
    return datetime(*args, tzinfo=BRUSSELS)


def make_call(deadline=MARCH_DEADLINE, **overrides):
    """A published call whose pre-registration deadline is ``deadline`` and whose dossier
    deadline is six weeks later, both at 12:00 Brussels time."""
    return CallFactory(
        opens_at=deadline - timedelta(days=90),
        preregistration_deadline=deadline,
        dossier_deadline=deadline + timedelta(days=42),
        **overrides,
    )


def member(organisation, role=Role.EDITOR, **kwargs):
    user = UserFactory(**kwargs)
    Membership.objects.create(organisation=organisation, user=user, role=role)
    return user


def follow(call, user, active=True):
    call_follow_set(call=call, user=user, active=active)
    return user


def preregistration(call, organisation, state, number=None):
    return PreRegistrationFactory(call=call, organisation=organisation, complete=True, state=state, number=number)


def by_recipient(messages):
    found = {}
    for message in messages:
        (to,) = message.to
        assert to not in found, f"two e-mails to {to}"
        found[to] = message
    return found


@pytest.fixture
def call(db):
    return make_call()


@pytest.fixture
def cast(call):
    """Everyone the reminder rules distinguish, around one call."""
    drafting = OrganisationFactory(name="Ontwerp vzw")
    alice = member(drafting, Role.OWNER, email="alice@example.org")
    bob = member(drafting, email="bob@example.org")
    preregistration(call, drafting, PreRegistrationState.DRAFT)

    carol = follow(call, UserFactory(email="carol@example.org"))  # follows, no organisation

    submitted = OrganisationFactory(name="Ingediend vzw")
    dave = follow(call, member(submitted, Role.OWNER, email="dave@example.org"))  # follows, but pre-registered
    preregistration(call, submitted, PreRegistrationState.SUBMITTED, number=1)

    withdrawn = OrganisationFactory(name="Ingetrokken vzw")
    erin = member(withdrawn, Role.OWNER, email="erin@example.org")
    preregistration(call, withdrawn, PreRegistrationState.WITHDRAWN)

    finished = OrganisationFactory(name="Klaar vzw")
    frank = member(finished, Role.OWNER, email="frank@example.org")
    done = preregistration(call, finished, PreRegistrationState.SUBMITTED, number=2)
    Dossier.objects.create(call=call, organisation=finished, preregistration=done, state=DossierState.SUBMITTED)

    gina = follow(call, UserFactory(email="gina@example.org"), active=False)  # stopped following

    idle = OrganisationFactory(name="Stil vzw")
    hank = member(idle, Role.OWNER, email="hank@example.org")  # no pre-registration at all

    busy = OrganisationFactory(name="Bezig vzw")
    ivy = member(busy, Role.OWNER, email="ivy@example.org")
    started = preregistration(call, busy, PreRegistrationState.SUBMITTED, number=3)
    Dossier.objects.create(call=call, organisation=busy, preregistration=started, state=DossierState.DRAFT)

    return SimpleNamespace(
        call=call,
        drafting=drafting,
        submitted=submitted,
        busy=busy,
        alice=alice,
        bob=bob,
        carol=carol,
        dave=dave,
        erin=erin,
        frank=frank,
        gina=gina,
        hank=hank,
        ivy=ivy,
    )


# --- When a reminder is due: Brussels calendar days across DST ---------------------------


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


@pytest.mark.parametrize(
    ("deadline", "offset", "local_moment"),
    [
        (MARCH_DEADLINE, D1, local(2026, 3, 29, 12)),
        (MARCH_DEADLINE, D2, local(2026, 3, 28, 12)),
        (MARCH_DEADLINE, D7, local(2026, 3, 23, 12)),
        (MARCH_DEADLINE, H3, local(2026, 3, 30, 9)),
        (OCTOBER_DEADLINE, D1, local(2026, 10, 25, 12)),
        (OCTOBER_DEADLINE, D2, local(2026, 10, 24, 12)),
        (OCTOBER_DEADLINE, D7, local(2026, 10, 19, 12)),
        (OCTOBER_DEADLINE, H3, local(2026, 10, 26, 9)),
    ],
    ids=["march-1d", "march-2d", "march-7d", "march-3h", "october-1d", "october-2d", "october-7d", "october-3h"],
)
@pytest.mark.django_db
def test_sweep_sends_each_reminder_at_its_brussels_moment(deadline, offset, local_moment):
    call = make_call(deadline)
    organisation = OrganisationFactory()
    user = member(organisation, Role.OWNER)
    preregistration(call, organisation, PreRegistrationState.DRAFT)
    minutes = int(offset.total_seconds() // 60)

    reminders_sweep(now=local_moment - timedelta(seconds=1))
    assert not Reminder.objects.filter(offset_minutes=minutes).exists()

    result = reminders_sweep(now=local_moment)

    (reminder,) = result.queued
    assert (reminder.recipient, reminder.phase, reminder.offset_minutes) == (user, Phase.PREREGISTRATION, minutes)
    assert reminder.due_at == local_moment
    assert reminder.deadline == deadline
    assert Reminder.objects.get(offset_minutes=minutes).status == ReminderStatus.QUEUED


@pytest.mark.parametrize("offset", [D7, D2, D1, H3], ids=["7d", "2d", "1d", "3h"])
@pytest.mark.parametrize("where", ["inside", "outside"])
@pytest.mark.django_db
def test_sweep_sends_inside_the_window_and_records_stale_reminders_as_skipped(offset, where):
    call = make_call(OCTOBER_DEADLINE, reminder_offsets=f"{offset.days}d" if offset.days else "3h")
    organisation = OrganisationFactory()
    user = member(organisation, Role.OWNER)
    preregistration(call, organisation, PreRegistrationState.DRAFT)
    due_at = reminder_moment(OCTOBER_DEADLINE, offset)
    now = due_at + reminder_window(offset) + (timedelta(seconds=1) if where == "outside" else timedelta(0))

    result = reminders_sweep(now=now)

    reminder = Reminder.objects.get()
    assert reminder.recipient == user
    if where == "inside":
        assert result.queued == [reminder] and result.skipped == []
        assert reminder.status == ReminderStatus.QUEUED
        assert reminder.outbox is not None and reminder.outbox.status == OutboxStatus.QUEUED
    else:
        assert result.queued == [] and result.skipped == [reminder]
        assert reminder.status == ReminderStatus.SKIPPED
        assert reminder.outbox is None
        assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_sweep_sends_nothing_for_a_phase_whose_deadline_has_passed():
    call = make_call(MARCH_DEADLINE, reminder_offsets="10m")
    organisation = OrganisationFactory()
    member(organisation, Role.OWNER)
    preregistration(call, organisation, PreRegistrationState.DRAFT)

    result = reminders_sweep(now=MARCH_DEADLINE)

    assert result.queued == [] and result.skipped == []
    assert not Reminder.objects.exists()
    assert not OutboxMessage.objects.exists()


# --- Who is reminded ----------------------------------------------------------------------


@pytest.mark.django_db
def test_audience_of_the_preregistration_phase(cast):
    found = {c.recipient.email: (c.reason, c.organisation, c.deadline) for c in audience(cast.call, Phase.PREREGISTRATION)}

    assert found == {
        "alice@example.org": (DRAFT, cast.drafting, MARCH_DEADLINE),
        "bob@example.org": (DRAFT, cast.drafting, MARCH_DEADLINE),
        "carol@example.org": (FOLLOW, None, MARCH_DEADLINE),
    }


@pytest.mark.django_db
def test_audience_of_the_dossier_phase(cast):
    found = {c.recipient.email: (c.reason, c.organisation) for c in audience(cast.call, Phase.DOSSIER)}

    # Pre-registered and no submitted dossier: dave (no dossier yet) and ivy (a draft).
    # Not frank (dossier submitted), not erin (pre-registration withdrawn), not the others.
    assert found == {"dave@example.org": (DOSSIER, cast.submitted), "ivy@example.org": (DOSSIER, cast.busy)}


@pytest.mark.django_db
def test_a_member_of_a_drafting_organisation_who_also_follows_gets_only_the_draft_reminder(cast):
    follow(cast.call, cast.alice)

    (alice,) = [c for c in audience(cast.call, Phase.PREREGISTRATION) if c.recipient == cast.alice]

    assert alice.reason == DRAFT
    assert alice.organisation == cast.drafting


@pytest.mark.django_db
def test_sweep_reminds_the_audience_of_each_phase_and_nobody_else(cast, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        reminders_sweep(now=local(2026, 3, 29, 12))  # one day before the pre-registration deadline
        reminders_sweep(now=local(2026, 5, 10, 12))  # one day before the dossier deadline

    sent = Reminder.objects.filter(status=ReminderStatus.QUEUED, outbox__status=OutboxStatus.SENT)
    assert sorted(sent.values_list("recipient__email", "phase", "offset_minutes", "reason")) == [
        ("alice@example.org", Phase.PREREGISTRATION, DAY, DRAFT),
        ("bob@example.org", Phase.PREREGISTRATION, DAY, DRAFT),
        ("carol@example.org", Phase.PREREGISTRATION, DAY, FOLLOW),
        ("dave@example.org", Phase.DOSSIER, DAY, DOSSIER),
        ("ivy@example.org", Phase.DOSSIER, DAY, DOSSIER),
    ]
    assert sorted(m.to[0] for m in mailoutbox) == [
        "alice@example.org",
        "bob@example.org",
        "carol@example.org",
        "dave@example.org",
        "ivy@example.org",
    ]
    nobody = {cast.erin, cast.frank, cast.gina, cast.hank}
    assert not Reminder.objects.filter(recipient__in=nobody).exists()


@pytest.mark.django_db
def test_a_follower_whose_organisation_submits_gets_no_more_follow_reminders(cast, django_capture_on_commit_callbacks):
    carols_organisation = OrganisationFactory()
    Membership.objects.create(organisation=carols_organisation, user=cast.carol, role=Role.OWNER)
    with django_capture_on_commit_callbacks(execute=True):
        reminders_sweep(now=local(2026, 3, 28, 12))  # 2 days before: carol follows, not pre-registered
        preregistration(cast.call, carols_organisation, PreRegistrationState.SUBMITTED, number=4)
        reminders_sweep(now=local(2026, 3, 29, 12))  # 1 day before: carol's organisation has submitted

    carols = Reminder.objects.filter(recipient=cast.carol).exclude(status=ReminderStatus.SKIPPED)
    assert list(carols.values_list("offset_minutes", "outbox__status")) == [(2 * DAY, OutboxStatus.SENT)]


# --- Extensions and deadline changes --------------------------------------------------------


@pytest.mark.django_db
def test_an_extension_moves_the_reminders_of_that_organisation_only(cast, mailoutbox, django_capture_on_commit_callbacks):
    extended = OrganisationFactory(name="Verlengd vzw")
    xavier = member(extended, Role.OWNER, email="xavier@example.org")
    preregistration(cast.call, extended, PreRegistrationState.DRAFT)
    new_deadline = local(2026, 4, 6, 12)
    Extension.objects.create(
        call=cast.call,
        organisation=extended,
        phase=Phase.PREREGISTRATION,
        deadline=new_deadline,
        reason="Overmacht",
        granted_by=UserFactory(is_staff=True),
    )

    with django_capture_on_commit_callbacks(execute=True):
        at_call_deadline = reminders_sweep(now=local(2026, 3, 29, 12))
    assert {(r.recipient.email, r.offset_minutes) for r in at_call_deadline.queued} == {
        ("alice@example.org", DAY),
        ("bob@example.org", DAY),
        ("carol@example.org", DAY),
    }
    assert not Reminder.objects.filter(recipient=xavier, offset_minutes=DAY).exists()

    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        # A week later the call's deadline has passed; the extension's "1 day before" is due.
        at_extension = reminders_sweep(now=local(2026, 4, 5, 12))

    (reminder,) = at_extension.queued
    assert (reminder.recipient, reminder.offset_minutes, reminder.deadline) == (xavier, DAY, new_deadline)
    assert reminder.due_at == local(2026, 4, 5, 12)
    (mail,) = mailoutbox
    assert mail.to == ["xavier@example.org"]
    with translation.override("nl"):
        assert format_brussels_long(new_deadline) in mail.body


@pytest.mark.django_db
def test_a_changed_call_deadline_moves_the_reminders_not_sent_yet(cast, mailoutbox, django_capture_on_commit_callbacks):
    call = cast.call
    with django_capture_on_commit_callbacks(execute=True):
        reminders_sweep(now=local(2026, 3, 23, 12))  # "7 days before" the original deadline: sent
    assert Reminder.objects.filter(offset_minutes=7 * DAY, outbox__status=OutboxStatus.SENT).count() == 3

    new_deadline = local(2026, 4, 6, 12)
    call.preregistration_deadline = new_deadline
    call.save()
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        at_old_moment = reminders_sweep(now=local(2026, 3, 29, 12))  # 1 day before the OLD deadline
        at_new_seven_days = reminders_sweep(now=local(2026, 3, 30, 12))  # 7 days before the new: already sent
    assert at_old_moment.queued == [] and at_new_seven_days.queued == []
    assert mailoutbox == []

    with django_capture_on_commit_callbacks(execute=True):
        at_new_moment = reminders_sweep(now=local(2026, 4, 5, 12))  # 1 day before the NEW deadline

    assert sorted((r.recipient.email, r.offset_minutes) for r in at_new_moment.queued) == [
        ("alice@example.org", DAY),
        ("bob@example.org", DAY),
        ("carol@example.org", DAY),
    ]
    assert {r.deadline for r in at_new_moment.queued} == {new_deadline}
    assert len(mailoutbox) == 3
    with translation.override("nl"):
        assert all(format_brussels_long(new_deadline) in m.body for m in mailoutbox)


def call_change_form(call, **overrides) -> dict:
    """What the admin's change form of ``call`` posts, with its current values."""

    def split(name, value):
        value = value.astimezone(BRUSSELS)
        return {f"{name}_0": value.strftime("%d-%m-%Y"), f"{name}_1": value.strftime("%H:%M")}

    data = {
        "title": call.title,
        "slug": call.slug,
        "reference_prefix": call.reference_prefix,
        "summary": call.summary,
        "rules_text": call.rules_text,
        **split("opens_at", call.opens_at),
        **split("preregistration_deadline", call.preregistration_deadline),
        **split("dossier_deadline", call.dossier_deadline),
        "min_mandating_enterprises": str(call.min_mandating_enterprises),
        "max_support_rate": str(call.max_support_rate),
        "max_subsidy_per_year": str(call.max_subsidy_per_year),
        "max_duration_years": str(call.max_duration_years),
        "proposal_max_chars": str(call.proposal_max_chars),
        "total_threshold_percent": str(call.total_threshold_percent),
        "policy_priorities": [str(p.pk) for p in call.policy_priorities.all()],
        "reminder_offsets": call.reminder_offsets,
        "contact_phone": call.contact_phone,
        "contact_email": call.contact_email,
        "contact_url": call.contact_url,
        "criteria-TOTAL_FORMS": "0",
        "criteria-INITIAL_FORMS": "0",
        "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "1000",
    }
    if call.is_published:
        data["is_published"] = "on"
    data.update(overrides)
    return data


@pytest.fixture
def superuser_client(client, db):
    sign_in(client, UserFactory(is_staff=True, is_superuser=True))
    return client


def admin_change_deadline(client, call, new_deadline, capture):
    with capture(execute=True):
        response = client.post(
            f"/admin/intake/call/{call.pk}/change/",
            call_change_form(
                call,
                preregistration_deadline_0=new_deadline.strftime("%d-%m-%Y"),
                preregistration_deadline_1=new_deadline.strftime("%H:%M"),
            ),
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    call.refresh_from_db()
    assert call.preregistration_deadline == new_deadline
    return response


@pytest.mark.django_db
def test_call_admin_deadline_change_tells_the_people_concerned_once(
    superuser_client, cast, mailoutbox, django_capture_on_commit_callbacks
):
    call = cast.call
    new_deadline = local(2026, 4, 6, 12)

    admin_change_deadline(superuser_client, call, new_deadline, django_capture_on_commit_callbacks)

    # Members of organisations with a draft or submitted pre-registration, and the active
    # followers; not erin (withdrawn), gina (stopped following) or hank (nothing started).
    told = by_recipient(mailoutbox)
    assert sorted(told) == [
        "alice@example.org",
        "bob@example.org",
        "carol@example.org",
        "dave@example.org",
        "frank@example.org",
        "ivy@example.org",
    ]
    with translation.override("nl"):
        for mail in told.values():
            assert format_brussels_long(MARCH_DEADLINE) in mail.body
            assert format_brussels_long(new_deadline) in mail.body
    assert OutboxMessage.objects.filter(template="deadline_changed", status=OutboxStatus.SENT).count() == 6

    # Saving the form again (a double click), or with only another field changed, tells nobody again.
    mailoutbox.clear()
    admin_change_deadline(superuser_client, call, new_deadline, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        response = superuser_client.post(f"/admin/intake/call/{call.pk}/change/", call_change_form(call, title="Nieuwe titel"))
    assert response.status_code == 302
    assert mailoutbox == []
    assert OutboxMessage.objects.filter(template="deadline_changed").count() == 6


@pytest.mark.django_db
def test_every_call_deadline_change_is_told_also_back_to_an_earlier_value(
    superuser_client, cast, mailoutbox, django_capture_on_commit_callbacks
):
    """30 March → 6 April → 30 March → 6 April → 30 March. Each save is a real change, and
    after the last one the people concerned must know it is 30 March again: otherwise they
    still believe the last e-mail they got (6 April) and miss the deadline."""
    later = local(2026, 4, 6, 12)
    told = []
    for new_deadline in (later, MARCH_DEADLINE, later, MARCH_DEADLINE):
        mailoutbox.clear()
        admin_change_deadline(superuser_client, cast.call, new_deadline, django_capture_on_commit_callbacks)
        with translation.override("nl"):
            told.append(sum(format_brussels_long(new_deadline) in m.body for m in mailoutbox))

    assert told == [6, 6, 6, 6]


@pytest.mark.django_db
def test_deadline_changed_email_in_dutch_has_no_english_sentence_left(
    superuser_client, cast, mailoutbox, django_capture_on_commit_callbacks
):
    admin_change_deadline(superuser_client, cast.call, local(2026, 4, 6, 12), django_capture_on_commit_callbacks)

    mail = by_recipient(mailoutbox)["alice@example.org"]
    text = mail.subject + mail.body + html_of(mail)
    left = [f for f in ("Deadline changed", "has changed", "Previous deadline", "New deadline", "Brussels time") if f in text]

    assert left == [], "untranslated (missing from locale/nl/LC_MESSAGES/django.po): " + ", ".join(left)


# --- At most once ---------------------------------------------------------------------------

ONE_DAY_BEFORE = local(2026, 3, 29, 12)


@pytest.mark.django_db
def test_sweep_records_stale_reminders_as_skipped_without_an_email(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = reminders_sweep(now=ONE_DAY_BEFORE)

    # 14, 7 and 2 days before have long passed (outside their windows): recorded, not sent.
    skipped = Reminder.objects.filter(status=ReminderStatus.SKIPPED)
    assert sorted(skipped.values_list("recipient__email", "offset_minutes")) == sorted(
        (email, days * DAY) for email in ("alice@example.org", "bob@example.org", "carol@example.org") for days in (14, 7, 2)
    )
    assert not skipped.filter(outbox__isnull=False).exists()
    assert {r.pk for r in result.skipped} == set(skipped.values_list("pk", flat=True))
    # "3 hours before" is not due yet: not recorded at all.
    assert not Reminder.objects.filter(offset_minutes=180).exists()
    assert OutboxMessage.objects.count() == 3


@pytest.mark.django_db
def test_sweep_twice_at_the_same_instant_sends_nothing_twice(cast, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = reminders_sweep(now=ONE_DAY_BEFORE)
    with django_capture_on_commit_callbacks(execute=True):
        second = reminders_sweep(now=ONE_DAY_BEFORE)

    assert len(first.queued) == 3 and len(first.skipped) == 9
    assert second.queued == [] and second.skipped == []
    assert Reminder.objects.count() == 12
    assert OutboxMessage.objects.count() == 3
    assert sorted(m.to[0] for m in mailoutbox) == ["alice@example.org", "bob@example.org", "carol@example.org"]
    assert set(Reminder.objects.filter(offset_minutes=DAY).values_list("status", "outbox__status")) == {
        (ReminderStatus.QUEUED, OutboxStatus.SENT)
    }


@pytest.mark.django_db
def test_sweep_reports_each_skipped_reminder_once_when_several_calls_have_some():
    calls = [make_call(MARCH_DEADLINE, reminder_offsets="7d") for _ in range(2)]
    for call in calls:
        organisation = OrganisationFactory()
        member(organisation, Role.OWNER)
        preregistration(call, organisation, PreRegistrationState.DRAFT)

    result = reminders_sweep(now=ONE_DAY_BEFORE)  # both calls' "7 days before" are stale

    skipped = Reminder.objects.filter(status=ReminderStatus.SKIPPED)
    assert skipped.count() == 2
    assert sorted(r.pk for r in result.skipped) == sorted(skipped.values_list("pk", flat=True))


@pytest.mark.django_db
def test_the_beat_task_runs_the_sweep_on_a_plain_utc_interval(cast, mailoutbox, django_capture_on_commit_callbacks):
    from clusterportal.celery import app
    from intake.tasks import reminders_sweep as reminders_sweep_task

    entry = settings.CELERY_BEAT_SCHEDULE["reminders-sweep"]
    assert entry["task"] == "intake.reminders_sweep" == reminders_sweep_task.name
    assert entry["task"] in app.tasks
    assert isinstance(entry["schedule"], float)  # an interval, not a crontab in local time
    assert settings.CELERY_TIMEZONE == "UTC"

    with time_machine.travel(ONE_DAY_BEFORE, tick=False), django_capture_on_commit_callbacks(execute=True):
        reminders_sweep_task.delay()

    assert sorted(m.to[0] for m in mailoutbox) == ["alice@example.org", "bob@example.org", "carol@example.org"]


# --- manage.py send_due_reminders -----------------------------------------------------------


def run_command(*args) -> str:
    out = io.StringIO()
    call_command("send_due_reminders", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_send_due_reminders_dry_run_lists_and_records_nothing(cast, mailoutbox, django_capture_on_commit_callbacks):
    with time_machine.travel(ONE_DAY_BEFORE, tick=False), django_capture_on_commit_callbacks(execute=True) as callbacks:
        output = run_command("--dry-run")

    prefix = cast.call.reference_prefix
    when = format_brussels(MARCH_DEADLINE)
    for email, reason in (("alice@example.org", "draft"), ("bob@example.org", "draft"), ("carol@example.org", "follow")):
        assert f"would send: {email} · {prefix} · preregistration · {DAY} min before {when} ({reason})" in output
        for days in (14, 7, 2):
            assert f"skipped (too late): {email} · preregistration · {days * DAY} min" in output
    assert output.rstrip().endswith("3 would send, 9 skipped.")
    assert not Reminder.objects.exists()
    assert not OutboxMessage.objects.exists()
    assert callbacks == []
    assert mailoutbox == []


@pytest.mark.django_db
def test_send_due_reminders_records_and_sends_once(cast, mailoutbox, django_capture_on_commit_callbacks):
    with time_machine.travel(ONE_DAY_BEFORE, tick=False), django_capture_on_commit_callbacks(execute=True):
        output = run_command()

    prefix = cast.call.reference_prefix
    assert f"queued: alice@example.org · {prefix} · preregistration · {DAY} min before" in output
    assert output.rstrip().endswith("3 queued, 9 skipped.")
    assert Reminder.objects.filter(outbox__status=OutboxStatus.SENT).count() == 3
    assert Reminder.objects.filter(status=ReminderStatus.SKIPPED).count() == 9
    assert len(mailoutbox) == 3

    with time_machine.travel(ONE_DAY_BEFORE + timedelta(minutes=5), tick=False), django_capture_on_commit_callbacks(execute=True):
        again = run_command()

    assert again.rstrip().endswith("0 queued, 0 skipped.")
    assert len(mailoutbox) == 3
    assert Reminder.objects.count() == 12


# --- What the e-mail says --------------------------------------------------------------------


@pytest.fixture
def one_day_mails(cast, mailoutbox, django_capture_on_commit_callbacks):
    """The "1 day before" reminders of the pre-registration, sent; by recipient."""

    def send():
        with django_capture_on_commit_callbacks(execute=True):
            reminders_sweep(now=ONE_DAY_BEFORE)
        return by_recipient(mailoutbox)

    return send


def html_of(mail) -> str:
    (alternative,) = mail.alternatives
    content, mimetype = alternative
    assert mimetype == "text/html"
    return content


@pytest.mark.django_db
def test_reminder_email_is_dutch_by_default(cast, one_day_mails):
    mail = one_day_mails()["alice@example.org"]

    with translation.override("nl"):
        deadline = format_brussels_long(MARCH_DEADLINE)
    assert deadline == "maandag 30 maart 2026 om 12:00"
    assert deadline in mail.body
    assert deadline in html_of(mail)
    assert cast.call.title in mail.subject
    link = f"{settings.SITE_URL}/calls/{cast.call.slug}/preregistration/?organisation={cast.drafting.pk}"
    assert link in mail.body
    assert f'href="{link}"' in html_of(mail)
    assert OutboxMessage.objects.get(to="alice@example.org").language == "nl"


# English fragments of the reminder templates: none may be left in a Dutch e-mail.
ENGLISH_FRAGMENTS = (
    "Reminder:",
    "is near",
    "Brussels time",
    "Time left",
    "Go to the portal",
    "has a draft pre-registration",
    "You receive this because",
    "cannot be switched off",
    "You follow this call",
    "Stop these reminders",
)


@pytest.mark.django_db
def test_reminder_email_in_dutch_has_no_english_sentence_left(one_day_mails):
    mails = one_day_mails()

    left = {
        (email, fragment)
        for email in ("alice@example.org", "carol@example.org")
        for fragment in ENGLISH_FRAGMENTS
        if fragment in mails[email].subject + mails[email].body + html_of(mails[email])
    }

    assert left == set(), "untranslated (missing from locale/nl/LC_MESSAGES/django.po): " + ", ".join(
        sorted({fragment for _email, fragment in left})
    )


@pytest.mark.django_db
def test_reminder_email_is_english_for_a_user_who_chose_english(cast, one_day_mails):
    user_language_set(user=cast.carol, language="en")

    mails = one_day_mails()

    carol = mails["carol@example.org"]
    with translation.override("en"):
        deadline = format_brussels_long(MARCH_DEADLINE)
    assert deadline == "Monday 30 March 2026 at 12:00"
    assert carol.subject.startswith(f"Reminder: pre-registration for {cast.call.title}")
    assert f"The deadline for the pre-registration of {cast.call.title} is near." in carol.body
    assert deadline in carol.body
    assert deadline in html_of(carol)
    assert OutboxMessage.objects.get(to="carol@example.org").language == "en"
    # The others keep Dutch in the same sweep.
    with translation.override("nl"):
        assert format_brussels_long(MARCH_DEADLINE) in mails["alice@example.org"].body
    assert OutboxMessage.objects.get(to="alice@example.org").language == "nl"


UNFOLLOW_RE = re.compile(re.escape(settings.SITE_URL) + r"(/unfollow/[^/\s\"]+/)")


@pytest.mark.django_db
def test_follow_reminder_has_an_unfollow_link_that_works(cast, client, one_day_mails, django_capture_on_commit_callbacks):
    carol = one_day_mails()["carol@example.org"]
    (path,) = UNFOLLOW_RE.findall(carol.body)
    assert UNFOLLOW_RE.findall(html_of(carol)) == [path]

    page = client.get(path)  # not signed in: the link works on its own

    assert page.status_code == 200
    assert '<form method="post"' in page.content.decode()
    assert CallFollow.objects.get(call=cast.call, user=cast.carol).active is True

    done = client.post(path)

    assert done.status_code == 200
    assert CallFollow.objects.get(call=cast.call, user=cast.carol).active is False
    with django_capture_on_commit_callbacks(execute=True):
        later = reminders_sweep(now=local(2026, 3, 30, 9))  # "3 hours before": carol no longer
    assert sorted(r.recipient.email for r in later.queued) == ["alice@example.org", "bob@example.org"]


@pytest.mark.parametrize("forgery", ["tampered", "other-salt", "unknown-call"])
@pytest.mark.django_db
def test_unfollow_link_with_a_forged_token_is_404(cast, client, forgery):
    from django.core import signing

    from intake.kernel.signing import unfollow_token

    token = unfollow_token(cast.carol, cast.call)
    if forgery == "tampered":
        token = token[:-1] + ("A" if token[-1] != "A" else "B")
    elif forgery == "other-salt":
        token = signing.dumps({"u": cast.carol.pk, "c": cast.call.pk}, salt="someone.else", compress=True)
    else:
        token = signing.dumps({"u": cast.carol.pk, "c": cast.call.pk + 1000}, salt="clusterportal.unfollow", compress=True)

    assert client.get(f"/unfollow/{token}/").status_code == 404
    assert client.post(f"/unfollow/{token}/").status_code == 404
    assert CallFollow.objects.get(call=cast.call, user=cast.carol).active is True


@pytest.mark.django_db
def test_draft_reminder_says_why_it_cannot_be_switched_off(cast, one_day_mails):
    alice = one_day_mails()["alice@example.org"]

    with translation.override("nl"):
        why = gettext(
            "You receive this because you are a member of the organisation. These reminders stop once it has "
            "submitted; they cannot be switched off, because a missed deadline cannot be made up."
        )
        draft = gettext(
            "%(org)s has a draft pre-registration that has not been submitted yet. A draft is not a "
            "pre-registration: submit it before the deadline, or the full dossier stays closed."
        ) % {"org": cast.drafting.name}
    assert why in alice.body
    assert why in html_of(alice)
    assert draft in alice.body
    assert "/unfollow/" not in alice.body + html_of(alice)


@pytest.mark.django_db
def test_dossier_reminder_links_to_the_dossier_of_the_organisation(cast, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        reminders_sweep(now=local(2026, 5, 10, 12))

    dave = by_recipient(mailoutbox)["dave@example.org"]
    assert f"{settings.SITE_URL}/calls/{cast.call.slug}/dossier/?organisation={cast.submitted.pk}" in dave.body
    with translation.override("nl"):
        assert format_brussels_long(cast.call.dossier_deadline) in dave.body
