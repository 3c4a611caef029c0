"""/healthz: is the database reachable, is the broker reachable. For load balancers and
for the person on call on a deadline morning. The page is public: it says ok or not per
component and nothing else (no host, user, path or exception text); why a component is
down goes to the log, where the person on call reads it."""

import logging
import os
from pathlib import Path

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from clusterportal.celery import app as celery_app

logger = logging.getLogger(__name__)


def database_ok() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True, connection.vendor
    except Exception as exc:  # any failure means "down"; the text helps the operator (in the log)
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
    components = {"database": database_ok(), "broker": broker_ok()}
    for name, (up, detail) in components.items():
        if not up:
            logger.error("healthz: %s down: %s", name, detail)
    healthy = all(up for up, _detail in components.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **{name: {"ok": up} for name, (up, _detail) in components.items()}},
        status=200 if healthy else 503,
    )
