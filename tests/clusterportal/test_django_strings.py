"""Strings of Django and allauth that the portal translates itself
(clusterportal/django_strings.py): each is still the library's own msgid, so the portal's
Dutch applies; the second factor has one Dutch name; the password rules say "je"."""

import re
from pathlib import Path

import allauth
import django
import polib
import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import trans_real

OUR_CATALOGUE = Path(settings.BASE_DIR) / "locale" / "nl" / "LC_MESSAGES" / "django.po"
# The libraries' source catalogues (their English .po lists every msgid of the release).
SOURCE_CATALOGUES = [
    Path(django.__file__).parent / "conf" / "locale" / "en" / "LC_MESSAGES" / "django.po",
    *(Path(django.__file__).parent / "contrib").glob("*/locale/en/LC_MESSAGES/django.po"),
    Path(allauth.__file__).parent / "locale" / "en" / "LC_MESSAGES" / "django.po",
]
# The other names allauth's and our old Dutch gave the second factor, and its bits.
OTHER_NAMES = re.compile(r"twee-?factor|authenticat(?:or|ie)[- ]?app|\bQR code\b|verificatie code", re.IGNORECASE)
FORMAL = re.compile(r"\b(?:u|uw)\b|a\.u\.b\.|alstublieft", re.IGNORECASE)


def _ours():
    return [e for e in polib.pofile(str(OUR_CATALOGUE)) if any(f == "clusterportal/django_strings.py" for f, _ in e.occurrences)]


def test_every_string_is_still_the_librarys_own():
    library = {e.msgid for path in SOURCE_CATALOGUES for e in polib.pofile(str(path))}
    ours = _ours()
    assert len(ours) > 30
    assert [e.msgid for e in ours if e.msgid not in library] == []
    assert [e.msgid for e in ours if not e.translated() or "fuzzy" in e.flags] == []


def test_the_dutch_catalogue_names_the_second_factor_tweestapsverificatie_only():
    catalogue = trans_real.translation("nl")._catalog  # ours merged over Django's and allauth's
    other_names = {key: catalogue.get(key) for key in set(catalogue.keys()) if OTHER_NAMES.search(str(catalogue.get(key)))}
    assert other_names == {}
    with translation.override("nl"):
        assert translation.gettext("Two-Factor Authentication") == "Tweestapsverificatie"


def test_the_dutch_of_our_strings_says_je_not_u():
    assert [e.msgstr or e.msgstr_plural for e in _ours() if FORMAL.search(e.msgstr + " ".join(e.msgstr_plural.values()))] == []


@pytest.mark.django_db
def test_sign_up_with_a_short_password_says_why_in_dutch_with_je(client):
    response = client.post("/accounts/signup/", {"email": "nieuw@example.org", "password1": "kort12ab", "password2": "kort12ab"})

    page = response.content.decode()
    assert "Dit wachtwoord is te kort: het moet minstens 10 tekens lang zijn." in page
    assert "Je wachtwoord moet minstens 10 tekens lang zijn." in page  # the rules under the field
    assert "Je wachtwoord mag niet alleen uit cijfers bestaan." in page
    assert "This password" not in page
    assert not FORMAL.search(re.sub(r"<[^>]+>", " ", page)), FORMAL.findall(page)


@pytest.mark.django_db
def test_a_numeric_common_password_is_refused_in_dutch(client):
    response = client.post("/accounts/signup/", {"email": "n@example.org", "password1": "1234567890", "password2": "1234567890"})

    page = response.content.decode()
    assert "Dit wachtwoord wordt te vaak gebruikt." in page
    assert "Dit wachtwoord bestaat alleen uit cijfers." in page
