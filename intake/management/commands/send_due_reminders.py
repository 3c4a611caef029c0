"""python manage.py send_due_reminders [--dry-run] — run the reminder sweep once, by hand.

The same sweep Celery beat runs every few minutes; safe to run next to it (a reminder is
recorded at most once)."""

from django.core.management.base import BaseCommand

from intake.kernel.formatting import format_brussels
from intake.messaging.reminders import reminders_sweep


class Command(BaseCommand):
    help = "Send the deadline reminders that are due now (or list them with --dry-run)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List what would be sent; send and record nothing.")

    def handle(self, *args, dry_run=False, **options):
        result = reminders_sweep(dry_run=dry_run)
        verb = "would send" if dry_run else "queued"
        for reminder in result.queued:
            self.stdout.write(
                f"{verb}: {reminder.recipient.email} · {reminder.call.reference_prefix} · {reminder.phase} · "
                f"{reminder.offset_minutes} min before {format_brussels(reminder.deadline)} ({reminder.reason})"
            )
        for reminder in result.skipped:
            self.stdout.write(
                f"skipped (too late): {reminder.recipient.email} · {reminder.phase} · {reminder.offset_minutes} min"
            )
        self.stdout.write(self.style.SUCCESS(f"{len(result.queued)} {verb}, {len(result.skipped)} skipped."))
