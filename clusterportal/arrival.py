"""When a request reached the portal (DESIGN.md §2): the instant a submission is judged by.

Behind the front proxy of the deployment (``ARRIVAL_FROM_PROXY=True``: docker-compose.yml's
nginx with deploy/nginx.conf) that is the proxy's ``X-Request-Start: t=<seconds since the
epoch>``, set (never passed on) by ``proxy_set_header X-Request-Start "t=${msec}";`` once
the proxy has the whole request, before any queue in front of busy application workers.
The header is trusted only with that setting: a proxy that passes a client's header on
would let the client choose its own arrival. Without it the instant is when this process
started on the request (gunicorn: just after accept); time a connection spent in the
listen queue before that is not seen.

A request is never refused here: the services judge it at this instant and refuse one that
waited too long to be processed (deadlines.max_service_delay, NotServedInTime)."""

import time
from datetime import UTC, datetime

from django.conf import settings

HEADER = "HTTP_X_REQUEST_START"


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
    if settings.ARRIVAL_FROM_PROXY and HEADER in meta:
        started = proxy_start(meta[HEADER])
        if started is not None:
            return min(started, now)
    return now


class ArrivalMiddleware:
    """First in the chain: puts ``request.arrived_at`` (an aware UTC datetime) on every request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.arrived_at = datetime.fromtimestamp(arrival(request.META, now=time.time()), tz=UTC)
        return self.get_response(request)
