"""Deadline reminders (DESIGN.md §6, intake.messaging.reminders): who gets which reminder,
when the sweep sends it (in Brussels calendar days, also across the DST changes),
extensions and deadline changes, at most once per (call, phase, offset, recipient), and
what the e-mail says. Unit tests: Celery runs eagerly, e-mail goes to the locmem outbox."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from intake.deadlines import reminder_moment, reminder_window
from intake.kernel.enums import OutboxStatus, Phase, PreRegistrationState, ReminderStatus, Role
from intake.kernel.formatting import format_brussels_long
from intake.messaging.reminders import DOSSIER, DRAFT, FOLLOW, audience, reminders_sweep
from intake.models import Extension, Membership, OutboxMessage, Reminder
from intake.services.following import user_language_set
from tests.factories import OrganisationFactory, UserFactory
from tests.intake.reminder_helpers import (
    D1,
    D2,
    D7,
    DAY,
    H3,
    MARCH_DEADLINE,
    OCTOBER_DEADLINE,
    ONE_DAY_BEFORE,
    by_recipient,
    follow,
    html_of,
    local,
    make_call,
    member,
    preregistration,
)

# --- When a reminder is sent -----------------------------------------------------------------


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


# --- Who is reminded -------------------------------------------------------------------------


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


# --- Extensions and deadline changes ---------------------------------------------------------


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


# --- At most once ----------------------------------------------------------------------------


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
def test_sweep_commits_in_slices_so_sending_starts_early(cast, mailoutbox, django_capture_on_commit_callbacks, monkeypatch):
    """Each slice of the sweep is its own commit, queuing its own sends: with slices of
    two, the twelve rows (three due, nine stale ones recorded as skipped) take six commits,
    the sends are queued by more than one of them, and each due reminder is sent once."""
    monkeypatch.setattr("intake.messaging.reminders.SWEEP_SLICE", 2)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = reminders_sweep(now=ONE_DAY_BEFORE)

    assert len(result.queued) == 3 and len(result.skipped) == 9
    assert len(callbacks) >= 2  # the sends were queued by more than one commit
    assert sorted(m.to[0] for m in mailoutbox) == ["alice@example.org", "bob@example.org", "carol@example.org"]
    assert Reminder.objects.count() == 12


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


# --- What the e-mail says --------------------------------------------------------------------


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


# The last Sunday of March (29 March 2026) has 23 hours: "7 days before" 30 March 12:00 CEST
# is 23 March 12:00 CET, 167 real hours earlier. Sent exactly on time, the reminder still
# says "7 days", not "6 days and 23 hours" counted down to the instant.
@pytest.mark.parametrize(
    ("offsets", "sent_at", "dutch", "english"),
    [
        ("7d", local(2026, 3, 23, 12), "nog 7 dagen", "7 days left"),
        ("2d", local(2026, 3, 28, 12), "nog 2 dagen", "2 days left"),
        ("1d", local(2026, 3, 29, 12), "nog 1 dag", "1 day left"),
        ("3h", local(2026, 3, 30, 9), "nog 3 uur", "3 hours left"),
        ("36h", local(2026, 3, 29, 0) - timedelta(hours=1), "nog 36 uur", "36 hours left"),
    ],
    ids=["7d", "2d", "1d", "3h", "36h"],
)
@pytest.mark.django_db
def test_reminder_subject_names_its_offset_across_the_change_to_summer_time(
    offsets, sent_at, dutch, english, mailoutbox, django_capture_on_commit_callbacks
):
    call = make_call(MARCH_DEADLINE, reminder_offsets=offsets)
    organisation = OrganisationFactory()
    member(organisation, Role.OWNER, email="dutch@example.org")
    user_language_set(user=member(organisation, email="english@example.org"), language="en")
    preregistration(call, organisation, PreRegistrationState.DRAFT)

    with django_capture_on_commit_callbacks(execute=True):
        result = reminders_sweep(now=sent_at)

    assert len(result.queued) == 2
    mails = by_recipient(mailoutbox)
    assert mails["dutch@example.org"].subject.endswith(f"— {dutch}"), mails["dutch@example.org"].subject
    assert f"Resterende tijd: {dutch.removeprefix('nog ')}" in mails["dutch@example.org"].body
    assert mails["english@example.org"].subject.endswith(f"— {english}"), mails["english@example.org"].subject
    assert "23 uur" not in mails["dutch@example.org"].subject
