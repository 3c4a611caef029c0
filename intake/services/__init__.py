"""Writes, one module per area. Views and tasks call exactly one service per action; a
service raises a DomainError (intake.kernel.errors) that the web layer turns into a
message. Services read the clock through intake.deadlines, after the row lock, and queue
Celery work through intake.jobs, on commit."""
