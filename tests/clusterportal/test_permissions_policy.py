"""Every response carries a Permissions-Policy that switches off the browser features the
portal never uses (clusterportal.permissions_policy)."""

import pytest

from clusterportal.permissions_policy import header_value


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/receipts/verify/", "/healthz", "/does-not-exist/"])
def test_permissions_policy_on_every_response(client, db, path):
    policy = client.get(path)["Permissions-Policy"]

    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in policy.split(", ")


def test_permissions_policy_header_value_from_the_setting():
    assert header_value({"camera": [], "fullscreen": ["self"]}) == "camera=(), fullscreen=(self)"
