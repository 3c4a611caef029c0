"""The second factor (clusterportal.second_factor): activating TOTP counts for the session
in which the code was verified, so a reviewer who has just set it up reaches the dashboard
without signing out and in; a wrong code, or recovery codes alone, count for nothing.

Transactional: allauth announces the activation on commit, as in production."""

import time

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import reverse

from tests.auth import current_totp_code, totp_code_at, totp_counter_now
from tests.reviews.review_helpers import make_reviewer

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery staple"


def _reviewer_signed_in_with_password(client):
    reviewer = make_reviewer()
    response = client.post(reverse("account_login"), {"login": reviewer.email, "password": PASSWORD})
    assert response.status_code == 302  # no authenticator yet: the password is the whole login
    assert client.get(reverse("reviews:dashboard"))["Location"] == reverse("reviews:second_factor")
    return reviewer


def _activation_secret(client) -> str:
    """The secret of the activation page, after the password again: allauth asks for it
    before any change to the second factor."""
    activate = reverse("mfa_activate_totp")
    response = client.get(activate)
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    client.post(response["Location"], {"password": PASSWORD})
    return client.get(activate).context["form"].secret


def test_activating_totp_opens_the_dashboard_in_the_same_session(client):
    reviewer = _reviewer_signed_in_with_password(client)
    secret = _activation_secret(client)

    response = client.post(reverse("mfa_activate_totp"), {"code": current_totp_code(secret)})

    assert response.status_code == 302, response.content.decode()[:2000]
    assert Authenticator.objects.filter(user=reviewer, type=Authenticator.Type.TOTP).exists()
    dashboard = client.get(reverse("reviews:dashboard"))
    assert dashboard.status_code == 200, dashboard.get("Location")


def test_a_wrong_activation_code_counts_for_nothing(client):
    reviewer = _reviewer_signed_in_with_password(client)
    secret = _activation_secret(client)
    now = totp_counter_now()
    accepted = {totp_code_at(secret, now + step) for step in (-1, 0, 1)}
    wrong = next(code for code in ("000000", "111111", "222222", "333333") if code not in accepted)

    response = client.post(reverse("mfa_activate_totp"), {"code": wrong})

    assert response.status_code == 200  # the form again, with its error
    assert not Authenticator.objects.filter(user=reviewer).exists()
    assert client.get(reverse("reviews:dashboard"))["Location"] == reverse("reviews:second_factor")


def test_activation_in_one_session_does_not_open_another(client):
    reviewer = _reviewer_signed_in_with_password(client)
    other_browser = Client()
    other_browser.post(reverse("account_login"), {"login": reviewer.email, "password": PASSWORD})
    secret = _activation_secret(client)
    client.post(reverse("mfa_activate_totp"), {"code": current_totp_code(secret)})

    # The other session signed in with the password only: it still needs the code.
    response = other_browser.get(reverse("reviews:dashboard"))
    assert response["Location"] == reverse("reviews:second_factor")
    page = other_browser.get(response["Location"]).content.decode()
    assert "Meld je af en opnieuw aan" in page


def test_a_code_typed_as_its_period_ends_still_counts_in_the_next_one_but_not_later(client):
    """At a period's last second the app shows a code that reaches the portal in the next
    period: accepted (settings.MFA_TOTP_TOLERANCE); a code older than that is not."""
    # The clock stands still, 1 s into a period: the periods named below stay what they are.
    frozen = (int(time.time()) // 30) * 30 + 1
    with time_machine.travel(frozen, tick=False):
        _typed_late_then_accepted(client)


def _typed_late_then_accepted(client):
    reviewer = _reviewer_signed_in_with_password(client)
    secret = _activation_secret(client)
    typed_in = totp_counter_now() - 1  # the period before this one
    too_old = totp_code_at(secret, typed_in - 1)

    refused = client.post(reverse("mfa_activate_totp"), {"code": too_old})
    assert refused.status_code == 200 and not Authenticator.objects.filter(user=reviewer).exists()

    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code_at(secret, typed_in)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=reviewer, type=Authenticator.Type.TOTP).exists()
