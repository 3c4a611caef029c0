"""What the portal sends and to whom: the outbox, reminders, followers of a call and the
language a user reads e-mails in."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from intake.kernel.enums import (
    OutboxStatus,
    Phase,
    ReminderStatus,
)
from intake.models.calls import Call
from intake.models.organisations import Organisation


class UserSettings(models.Model):
    """Per-user preferences the portal needs when the user is not in front of it: the
    language of e-mails sent by the sweep."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="portal_settings")
    language = models.CharField(_("language"), max_length=8, default="nl")

    class Meta:
        verbose_name = _("user settings")
        verbose_name_plural = _("user settings")

    def __str__(self):
        return f"{self.user} ({self.language})"


class CallFollow(models.Model):
    """ "Follow this call": the user gets the pre-registration reminders of the call until
    their organisation pre-registers, or until they stop following."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="follows", verbose_name=_("call"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="call_follows")
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("call follower")
        verbose_name_plural = _("call followers")
        constraints = [models.UniqueConstraint(fields=["call", "user"], name="one_follow_per_user_and_call")]

    def __str__(self):
        return f"{self.user} → {self.call}"


class OutboxMessage(models.Model):
    """Every e-mail the portal sends, rendered when queued and sent by a task. A row is
    the single record of what went to whom, with its status and last error."""

    to = models.EmailField(_("recipient"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    template = models.CharField(_("template"), max_length=60, db_index=True)
    language = models.CharField(_("language"), max_length=8, default="nl")
    subject = models.CharField(_("subject"), max_length=250)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    # A private file sent along (a receipt): path in the default storage, name, type.
    attachment_path = models.CharField(max_length=300, blank=True)
    attachment_name = models.CharField(max_length=120, blank=True)
    attachment_type = models.CharField(max_length=100, blank=True)
    # Makes queuing idempotent: the same key is never queued twice (e.g. receipt:<id>:<to>).
    dedupe_key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.QUEUED, db_index=True
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    # Who reserved it for sending, and when: only that task's redelivery, or a reservation
    # far older than any SMTP conversation, means the sender was interrupted.
    reserved_by = models.CharField(max_length=64, blank=True)
    reserved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("e-mail (outbox)")
        verbose_name_plural = _("e-mails (outbox)")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.template} → {self.to}"


class Reminder(models.Model):
    """One deadline reminder. The unique key (call, phase, offset, recipient) is written
    in the transaction that decides to send, before the e-mail goes out, so a second
    sweep, a retried task or a crashed worker can never send it twice."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="reminders")
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices)
    offset_minutes = models.PositiveIntegerField(_("offset (minutes before the deadline)"))
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    deadline = models.DateTimeField(_("deadline"))
    due_at = models.DateTimeField(_("due at"))
    reason = models.CharField(_("why it is sent"), max_length=20)  # "draft" / "follow" / "dossier"
    status = models.CharField(_("status"), max_length=10, choices=ReminderStatus.choices, default=ReminderStatus.PLANNED)
    sweep = models.CharField(max_length=32, db_index=True)  # which sweep wrote the row
    outbox = models.OneToOneField(OutboxMessage, on_delete=models.SET_NULL, null=True, blank=True, related_name="reminder")
    created_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["call", "phase", "offset_minutes", "recipient"], name="reminder_sent_at_most_once"),
        ]

    def __str__(self):
        return f"{self.call} · {self.phase} · {self.offset_minutes} min · {self.recipient}"
