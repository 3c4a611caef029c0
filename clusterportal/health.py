"""/healthz: is the database reachable, is the broker reachable. For load balancers and
for the person on call on a deadline morning."""

import os
from pathlib import Path

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from clusterportal.celery import app as celery_app


def database_ok() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True, connection.vendor
    except Exception as exc:  # any failure means "down"; the text helps the operator
        return False, f"{type(exc).__name__}: {exc}"


def broker_ok() -> tuple[bool, str]:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            transport = str(conn.transport_cls)
        if transport == "filesystem":
            # The disk broker "connects" to anything; reachable means its folder is writable.
            folder = Path(celery_app.conf.broker_transport_options["data_folder_in"])
            if not (folder.is_dir() and os.access(folder, os.W_OK)):
                return False, f"filesystem broker folder not writable: {folder}"
        return True, transport
    except Exception as exc:
        return False, f"{type(exc).__name__}: {exc}"


@never_cache
@require_GET
def healthz(request):
    db_up, db_detail = database_ok()
    broker_up, broker_detail = broker_ok()
    healthy = db_up and broker_up
    return JsonResponse(
        {
            "status": "ok" if healthy else "unavailable",
            "database": {"ok": db_up, "detail": db_detail},
            "broker": {"ok": broker_up, "detail": broker_detail},
        },
        status=200 if healthy else 503,
    )
