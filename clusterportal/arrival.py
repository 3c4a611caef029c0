"""When a request reached the portal (DESIGN.md §2): the instant a submission is judged by.

Behind the trusted front proxy (``TRUSTED_PROXIES`` > 0) that is the proxy's
request-start time, ``X-Request-Start: t=<seconds since the epoch>`` (nginx:
``proxy_set_header X-Request-Start "t=${msec}";``): it is taken when the request arrives,
before any queue in front of a busy application worker, and the proxy overwrites whatever
a client sent in that header. Without a trusted proxy the header is ignored and the
instant is when this process started handling the request (gunicorn: just after accept);
time a connection spent in the listen queue before that is not seen.

A request that waited longer than ``ARRIVAL_MAX_WAIT_SECONDS`` is refused loudly (503)
before it can change anything: the portal does not vouch for an instant that old."""

import logging
import time
from datetime import UTC, datetime

from django.conf import settings
from django.shortcuts import render

HEADER = "HTTP_X_REQUEST_START"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

logger = logging.getLogger(__name__)


def proxy_start(value: str) -> float | None:
    """Seconds since the epoch from ``t=1768993199.999`` (nginx ``$msec``), also given in
    milliseconds or microseconds (other proxies), or None when it is not a time."""
    text = value.strip()
    if text.startswith("t="):
        text = text[2:]
    try:
        number = float(text)
    except ValueError:
        return None
    for scale in (1, 1e3, 1e6):  # seconds, milliseconds, microseconds
        seconds = number / scale
        if 1e9 < seconds < 1e10:  # 2001 … 2286: a plausible wall-clock time
            return seconds
    return None


def arrival(meta: dict, *, now: float) -> float:
    """The request's arrival, in seconds since the epoch. Never after ``now``: a proxy's
    clock slightly ahead of ours must not make a request later than it is."""
    if settings.TRUSTED_PROXIES and HEADER in meta:
        started = proxy_start(meta[HEADER])
        if started is not None:
            return min(started, now)
    return now


class ArrivalMiddleware:
    """First in the chain: puts ``request.arrived_at`` (an aware UTC datetime) on every request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        now = time.time()
        arrived = arrival(request.META, now=now)
        request.arrived_at = datetime.fromtimestamp(arrived, tz=UTC)
        if request.method not in SAFE_METHODS and now - arrived > settings.ARRIVAL_MAX_WAIT_SECONDS:
            logger.warning("Refused %s %s: arrived %.1f s ago", request.method, request.path, now - arrived)
            return render(request, "503_waited.html", {"arrived_at": request.arrived_at}, status=503)
        return self.get_response(request)
