"""Every rate limit keys on the client address derived from one setting (env TRUSTED_PROXIES,
allauth's ALLAUTH_TRUSTED_PROXY_COUNT): behind the compose proxy, REMOTE_ADDR is the proxy
for everyone and the real client is the proxy's entry in X-Forwarded-For; without a proxy,
X-Forwarded-For is the client's own writing and ignored."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from clusterportal.ratelimit import client_ip
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"
PROXY = "10.0.0.2"  # the compose proxy: every request reaches web from here
LOGIN_FAILED_LIMIT = 5  # settings.ACCOUNT_RATE_LIMITS["login_failed"]: 5 per 5 minutes per address


def sign_in(client, email: str, password: str, *, forwarded: str):
    return client.post(
        reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded
    )


def signed_in(response) -> bool:
    return response.status_code == 302 and response.wsgi_request.user.is_authenticated


def too_many_attempts(response) -> bool:
    return response.status_code == 200 and any(
        error.code == "too_many_login_attempts" for error in response.context["form"].errors.as_data().get("__all__", [])
    )


def test_login_limit_behind_one_proxy_counts_each_real_client(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    victim_of_typos, colleague = UserFactory(), UserFactory()

    for attempt in range(LOGIN_FAILED_LIMIT):
        # Failed logins of other accounts too, so only the per-address limit applies.
        target = UserFactory()
        assert not signed_in(sign_in(client, target.email, "wrong", forwarded="198.51.100.7")), attempt
    blocked = sign_in(client, victim_of_typos.email, PASSWORD, forwarded="198.51.100.7")
    other_client = sign_in(client, colleague.email, PASSWORD, forwarded="198.51.100.8")

    assert too_many_attempts(blocked)
    assert signed_in(other_client)


def test_login_limit_behind_one_proxy_ignores_what_the_client_forged(client, settings):
    """A client that writes its own X-Forwarded-For only adds entries to the left of the
    proxy's: rotating them buys no new attempts."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1

    for attempt in range(LOGIN_FAILED_LIMIT):
        sign_in(client, UserFactory().email, "wrong", forwarded=f"192.0.2.{attempt}, 198.51.100.7")
    blocked = sign_in(client, UserFactory().email, PASSWORD, forwarded="192.0.2.99, 198.51.100.7")

    assert too_many_attempts(blocked)


def test_login_limit_without_a_proxy_ignores_forwarded_for(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0

    for attempt in range(LOGIN_FAILED_LIMIT):
        sign_in(client, UserFactory().email, "wrong", forwarded=f"198.51.100.{attempt}")
    blocked = sign_in(client, UserFactory().email, PASSWORD, forwarded="198.51.100.200")

    assert too_many_attempts(blocked)


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "198.51.100.7", PROXY),
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "192.0.2.1, 198.51.100.7", "198.51.100.7"),
        (2, "192.0.2.1, 198.51.100.7, 10.0.0.9", "198.51.100.7"),
        (1, "", PROXY),
    ],
)
def test_portal_rate_limits_take_the_client_from_the_same_setting(settings, proxies, forwarded, expected):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = proxies
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    request = RequestFactory().get("/receipts/verify/", REMOTE_ADDR=PROXY, **extra)

    assert client_ip(request) == expected
