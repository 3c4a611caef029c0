"""The one way intake queues Celery work: by task name, so that no service or messaging
module imports ``intake.tasks`` (which imports them: that was a cycle).

``enqueue_on_commit`` is for work that follows a write: the task is queued only once the
transaction committed, so a worker never looks for a row that is not there yet; and it is
*robust*: a broker that is down at that moment does not turn a recorded submission into an
error page. The recovery sweep (intake.messaging.recovery) queues such work again."""

from celery import current_app
from django.db import transaction


def _task(name: str):
    app = current_app
    if name not in app.tasks:
        # A worker imports the task modules when it starts; a web process does so the first
        # time it queues work, through Celery's own autodiscovery (no import of ours).
        app.loader.import_default_modules()
    return app.tasks[name]


def enqueue(name: str, **kwargs) -> None:
    """Queue a task now (from a task or a command, outside any transaction)."""
    _task(name).apply_async(kwargs=kwargs)


def enqueue_on_commit(name: str, **kwargs) -> None:
    """Queue a task once the surrounding transaction commits."""
    transaction.on_commit(lambda: enqueue(name, **kwargs), robust=True)
