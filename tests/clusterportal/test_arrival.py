"""clusterportal.arrival: the instant a request reached the portal, from the trusted front
proxy's X-Request-Start (only with TRUSTED_PROXIES) or from this process."""

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


def test_the_header_counts_only_behind_a_trusted_proxy(settings):
    meta = {"HTTP_X_REQUEST_START": "t=1768993190.5"}
    settings.TRUSTED_PROXIES = 0
    assert arrival(meta, now=NOW) == NOW  # a client cannot choose its own arrival
    settings.TRUSTED_PROXIES = 1
    assert arrival(meta, now=NOW) == pytest.approx(1768993190.5)


def test_a_proxy_clock_ahead_of_ours_never_makes_a_request_later(settings):
    settings.TRUSTED_PROXIES = 1
    assert arrival({"HTTP_X_REQUEST_START": f"t={NOW + 5}"}, now=NOW) == NOW


def _through_middleware(request):
    seen = {}

    def view(req):
        seen["arrived_at"] = req.arrived_at
        return "answered"

    return ArrivalMiddleware(view)(request), seen


def test_the_middleware_puts_the_arrival_on_the_request(settings):
    settings.TRUSTED_PROXIES = 1
    request = RequestFactory().post("/", HTTP_X_REQUEST_START=f"t={time.time() - 2:.3f}")

    response, seen = _through_middleware(request)

    assert response == "answered"
    assert 1.5 < (datetime.now(UTC) - seen["arrived_at"]).total_seconds() < 5


@pytest.mark.django_db
def test_a_write_that_waited_too_long_is_refused_loudly_before_it_changes_anything(settings):
    settings.TRUSTED_PROXIES = 1
    settings.ARRIVAL_MAX_WAIT_SECONDS = 60
    request = RequestFactory().post("/calls/x/preregistration/", HTTP_X_REQUEST_START=f"t={time.time() - 61:.3f}")

    response, seen = _through_middleware(request)

    assert response.status_code == 503
    assert seen == {}  # the view never ran
    assert "Er werd niets bewaard of ingediend" in response.content.decode()


def test_a_read_that_waited_is_still_answered(settings):
    settings.TRUSTED_PROXIES = 1
    request = RequestFactory().get("/", HTTP_X_REQUEST_START=f"t={time.time() - 120:.3f}")

    response, _seen = _through_middleware(request)

    assert response == "answered"
