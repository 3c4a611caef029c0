"""manage.py send_due_reminders: the due reminders by hand, with a dry run that records
nothing."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command

from intake.kernel.enums import OutboxStatus, ReminderStatus
from intake.kernel.formatting import format_brussels
from intake.models import OutboxMessage, Reminder
from tests.intake.reminder_helpers import DAY, MARCH_DEADLINE, ONE_DAY_BEFORE


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
