"""clusterportal.arrival: the instant a request reached the portal, from the trusted front
proxy's X-Request-Start (only with ARRIVAL_FROM_PROXY) or from this process."""

import time
from datetime import UTC, datetime

import pytest
from django.test import RequestFactory

from clusterportal.arrival import ArrivalMiddleware, arrival, proxy_start

NOW = 1_768_993_200.0  # 21 January 2026, 11:00 UTC


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("t=1768993199.999", 1768993199.999),  # nginx $msec
        ("1768993199999", 1768993199.999),  # milliseconds
        ("t=1768993199999000", 1768993199.999),  # microseconds
        ("t=abc", None),
        ("t=12", None),  # not a wall-clock time
        ("", None),
    ],
)
def test_proxy_start_reads_the_forms_proxies_write(header, seconds):
    result = proxy_start(header)
    assert result == pytest.approx(seconds) if seconds is not None else result is None


def test_the_header_counts_only_when_the_proxy_is_trusted_to_set_it(settings):
    meta = {"HTTP_X_REQUEST_START": "t=1768993190.5"}
    settings.ARRIVAL_FROM_PROXY = False
    assert arrival(meta, now=NOW) == NOW  # a client cannot choose its own arrival
    settings.ARRIVAL_FROM_PROXY = True
    assert arrival(meta, now=NOW) == pytest.approx(1768993190.5)


def test_a_proxy_clock_ahead_of_ours_never_makes_a_request_later(settings):
    settings.ARRIVAL_FROM_PROXY = True
    assert arrival({"HTTP_X_REQUEST_START": f"t={NOW + 5}"}, now=NOW) == NOW


def _through_middleware(request):
    seen = {}

    def view(req):
        seen["arrived_at"] = req.arrived_at
        return "answered"

    return ArrivalMiddleware(view)(request), seen


def test_the_middleware_puts_the_arrival_on_the_request(settings):
    settings.ARRIVAL_FROM_PROXY = True
    request = RequestFactory().post("/", HTTP_X_REQUEST_START=f"t={time.time() - 2:.3f}")

    response, seen = _through_middleware(request)

    assert response == "answered"
    assert 1.5 < (datetime.now(UTC) - seen["arrived_at"]).total_seconds() < 5


def test_a_request_that_waited_is_passed_on_with_its_arrival(settings):
    """The middleware refuses nothing: the services judge the change at its arrival, and
    refuse one that waited too long (NotServedInTime, tested with the submissions)."""
    settings.ARRIVAL_FROM_PROXY = True
    request = RequestFactory().post("/", HTTP_X_REQUEST_START=f"t={time.time() - 120:.3f}")

    response, seen = _through_middleware(request)

    assert response == "answered"
    assert (datetime.now(UTC) - seen["arrived_at"]).total_seconds() > 119
