"""`make run` (scripts/run_portal.py): the address its links use. The receipt's verification
address built from it is tested with the receipts (tests/intake/messaging/test_receipts.py)."""

import pytest

from scripts.run_portal import site_url


@pytest.mark.parametrize(
    ("host", "port", "variables", "expected"),
    [
        ("127.0.0.1", "8010", {}, "http://127.0.0.1:8010"),
        ("0.0.0.0", "8123", {}, "http://127.0.0.1:8123"),  # noqa: S104 -- the host `make run HOST=0.0.0.0` passes
        ("::", "8000", {}, "http://[::1]:8000"),
        ("127.0.0.1", "8010", {"SITE_URL": "https://clusters.example.test/"}, "https://clusters.example.test"),
        ("127.0.0.1", "8010", {"SITE_URL": ""}, "http://127.0.0.1:8010"),
    ],
)
def test_run_portal_site_url_follows_the_port_unless_set_explicitly(host, port, variables, expected):
    assert site_url(host, port, variables) == expected
