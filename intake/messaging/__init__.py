"""What the portal sends: the outbox (every e-mail, exactly once), receipts (rendered PDF/A
and e-mailed), deadline reminders, and the recovery of work that never reached a worker.
It queues Celery work only through intake.jobs."""
