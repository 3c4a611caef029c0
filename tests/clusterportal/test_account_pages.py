"""allauth's pages (templates/allauth/: sign-up, sign-in, password reset, two-step
verification) in the portal's layout and form markup, in one Dutch."""

import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.urls import reverse

from tests.auth import TOTP_SECRET
from tests.clusterportal.test_django_strings import FORMAL, OTHER_NAMES
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def _in_portal_layout(page: str):
    assert 'class="portal-header' in page  # the portal's header, not allauth's bare menu
    assert 'class="portal-footer' in page
    assert "account-page" in page
    assert "<strong>Menu:</strong>" not in page


@pytest.mark.parametrize(
    ("url", "fields"),
    [
        ("/accounts/login/", ["id_login", "id_password"]),
        ("/accounts/signup/", ["id_email", "id_password1", "id_password2"]),
        ("/accounts/password/reset/", ["id_email"]),
    ],
)
def test_entrance_pages_use_the_portal_layout_and_form_markup(client, url, fields):
    page = client.get(url).content.decode()

    _in_portal_layout(page)
    for field in fields:
        # A label above each field (not "E-mailadres:" beside a bare input), Bootstrap's control.
        assert re.search(rf'<label\s+for="{field}" class="form-label[^"]*">', page), field
        assert re.search(rf'<input[^>]*class="[^"]*form-control[^"]*"[^>]*id="{field}"', page), field
    assert "novalidate" in page  # errors come from the server, next to their fields
    assert not FORMAL.search(_text(page))


def test_password_reset_done_says_je(client):
    client.post("/accounts/password/reset/", {"email": "iemand@example.org"})
    page = client.get("/accounts/password/reset/done/").content.decode()
    _in_portal_layout(page)
    assert "We hebben je een e-mail gestuurd." in page
    assert not FORMAL.search(_text(page))


def _signed_in_with_password(client):
    user = UserFactory()
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    return user


def test_two_step_pages_in_the_portal_layout_with_one_name(client):
    user = _signed_in_with_password(client)
    pages = {name: client.get(reverse(name)).content.decode() for name in ("mfa_index", "mfa_activate_totp")}
    TOTP.activate(user, TOTP_SECRET)
    client.logout()
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    pages["mfa_authenticate"] = client.get(reverse("mfa_authenticate")).content.decode()

    for name, page in pages.items():
        _in_portal_layout(page)
        text = _text(page)
        assert "Tweestapsverificatie" in text, name
        assert not OTHER_NAMES.search(text), (name, OTHER_NAMES.findall(text))
        assert not FORMAL.search(text), (name, FORMAL.findall(text))
    # The code field has a label of its own, and the QR code says what it is.
    assert re.search(r'<label\s+for="id_code" class="form-label[^"]*">\s*Code uit je app', pages["mfa_activate_totp"])
    assert 'alt="QR-code om met je app te scannen"' in pages["mfa_activate_totp"]
    assert "QR-code" in pages["mfa_activate_totp"]


def test_account_pages_list_the_accounts_pages(client):
    _signed_in_with_password(client)
    page = client.get(reverse("mfa_index")).content.decode()
    nav = re.search(r'<nav class="col-md-3[^"]*" aria-label="Je account">(.*?)</nav>', page, re.S).group(1)
    assert f'href="{reverse("account_email")}"' in nav
    assert f'href="{reverse("account_change_password")}"' in nav
    assert re.search(rf'href="{reverse("mfa_index")}" aria-current="page">Tweestapsverificatie', nav)
