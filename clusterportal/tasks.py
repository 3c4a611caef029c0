from celery import shared_task
from django.db import connection
from django.utils import timezone


@shared_task(name="clusterportal.worker_heartbeat")
def worker_heartbeat(token: str) -> dict:
    """Round trip through broker, worker and database: proves a worker is consuming.

    Used by the integration tests and handy from a shell (`worker_heartbeat.delay("x").get()`).
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        database_ok = cursor.fetchone()[0] == 1
    return {"token": token, "database": database_ok, "at": timezone.now().isoformat()}
