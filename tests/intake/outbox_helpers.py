"""Builders for the outbox tests: rendered messages in the queue, the reminder that points
at one, and a mailer that talks SMTP to a given port."""

from datetime import timedelta

from intake.kernel.enums import Phase, ReminderStatus
from intake.messaging.outbox import outbox_build
from intake.models import OutboxMessage, Reminder


def smtp_mailer(port: int) -> dict:
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10},
        }
    }


def deadline_changed_context(call) -> dict:
    return {
        "call": call,
        "phase_label": Phase.PREREGISTRATION.label,
        "old_deadline": call.preregistration_deadline,
        "new_deadline": call.preregistration_deadline + timedelta(days=7),
        "note": "",
    }


def queued(call, to="an@example.org", **fields) -> OutboxMessage:
    """A rendered message saved in the queue, without the on-commit send."""
    message = outbox_build(to=to, template="deadline_changed", context=deadline_changed_context(call))
    for name, value in fields.items():
        setattr(message, name, value)
    message.save()
    return message


def reminder_for(call, message, user) -> Reminder:
    return Reminder.objects.create(
        call=call,
        phase=Phase.PREREGISTRATION,
        offset_minutes=1440,
        recipient=user,
        deadline=call.preregistration_deadline,
        due_at=call.preregistration_deadline - timedelta(days=1),
        reason="follow",
        status=ReminderStatus.QUEUED,
        outbox=message,
        sweep="test",
    )


def stored(message) -> OutboxMessage:
    return OutboxMessage.objects.get(pk=message.pk)
