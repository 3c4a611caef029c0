"""The public pages (intake.web.views.public): the home page lists open and upcoming calls
with both deadlines in Brussels time, the call page its rules; a follower's unfollow link
works without signing in, and a forged one does nothing."""

import re
from datetime import datetime

import pytest
import time_machine
from django.conf import settings
from django.core import signing
from django.utils import translation

from intake.kernel.formatting import BRUSSELS
from intake.kernel.signing import unfollow_token
from intake.messaging.reminders import reminders_sweep
from intake.models import CallFollow
from tests.factories import CallFactory
from tests.intake.reminder_helpers import html_of, local


def _call(**kwargs):
    return CallFactory(
        opens_at=datetime(2025, 10, 15, 9, 0, tzinfo=BRUSSELS),
        preregistration_deadline=datetime(2026, 1, 23, 12, 0, tzinfo=BRUSSELS),
        dossier_deadline=datetime(2026, 5, 11, 12, 0, tzinfo=BRUSSELS),
        **kwargs,
    )


# --- Home and call pages ---------------------------------------------------------------------


@pytest.mark.django_db
def test_home_shows_both_deadlines_in_brussels_time_with_countdown(client):
    call = _call(title="Derde oproep innovatieve bedrijfsnetwerken")
    with time_machine.travel(datetime(2026, 1, 10, 9, 0, tzinfo=BRUSSELS), tick=False):
        response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert call.title in html
    assert "23 januari 2026 om 12:00" in html  # winter: CET
    assert "11 mei 2026 om 12:00" in html  # summer: CEST
    assert 'data-deadline="2026-01-23T12:00:00+01:00"' in html  # countdown anchor
    assert "13 dagen" in html  # time left, rendered on the server too


@pytest.mark.django_db
def test_home_hides_closed_calls_from_the_open_list(client):
    call = _call(title="Afgesloten oproep")
    with time_machine.travel(datetime(2026, 5, 11, 12, 0, tzinfo=BRUSSELS), tick=False):
        response = client.get("/")
    assert call not in list(response.context["calls"])
    assert call in list(response.context["closed_calls"])


@pytest.mark.django_db
def test_home_in_english(client):
    _call()
    client.cookies["django_language"] = "en"
    with time_machine.travel(datetime(2026, 1, 10, 9, 0, tzinfo=BRUSSELS), tick=False), translation.override("en"):
        response = client.get("/", headers={"accept-language": "en"})
    assert "23 January 2026 at 12:00" in response.content.decode()


@pytest.mark.django_db
def test_call_page_shows_rules_and_deadlines(client):
    call = _call()
    with time_machine.travel(datetime(2026, 1, 10, 9, 0, tzinfo=BRUSSELS), tick=False):
        response = client.get(f"/calls/{call.slug}/")
    html = response.content.decode()
    assert "€ 225.000,00" in html
    assert "vrijdag 23 januari 2026 om 12:00" in html


@pytest.mark.django_db
def test_call_text_is_marked_dutch_when_the_interface_is_english(client):
    """WCAG 3.1.2: what the call manager wrote is Dutch; in the English interface (html
    lang="en") a screen reader must be told so, on the call page and the home page."""
    call = _call(title="Vierde oproep", summary="Steun voor kleine netwerken.", rules_text="Enkel een organisatie.")
    client.cookies["django_language"] = "en"
    with time_machine.travel(datetime(2026, 1, 10, 9, 0, tzinfo=BRUSSELS), tick=False), translation.override("en"):
        page = client.get(f"/calls/{call.slug}/", headers={"accept-language": "en"}).content.decode()
        home = client.get("/", headers={"accept-language": "en"}).content.decode()

    assert '<html lang="en">' in page
    assert '<h1 lang="nl">Vierde oproep</h1>' in page
    assert '<p class="lead" lang="nl">Steun voor kleine netwerken.</p>' in page
    assert '<div class="mb-3" lang="nl"><p>Enkel een organisatie.</p></div>' in page
    assert f'id="call-{call.pk}" lang="nl"' in home
    assert '<p lang="nl">Steun voor kleine netwerken.</p>' in home


@pytest.mark.django_db
def test_call_text_needs_no_language_mark_in_the_dutch_interface(client):
    call = _call(title="Vierde oproep")
    with time_machine.travel(datetime(2026, 1, 10, 9, 0, tzinfo=BRUSSELS), tick=False):
        page = client.get(f"/calls/{call.slug}/").content.decode()
    assert '<html lang="nl">' in page
    assert "<h1>Vierde oproep</h1>" in page


@pytest.mark.django_db
def test_unpublished_call_is_not_found(client):
    call = _call(is_published=False)
    assert client.get(f"/calls/{call.slug}/").status_code == 404


# --- Unfollow --------------------------------------------------------------------------------


UNFOLLOW_RE = re.compile(re.escape(settings.SITE_URL) + r"(/unfollow/[^/\s\"]+/)")


@pytest.mark.django_db
def test_follow_reminder_has_an_unfollow_link_that_works(cast, client, one_day_mails, django_capture_on_commit_callbacks):
    carol = one_day_mails()["carol@example.org"]
    (path,) = UNFOLLOW_RE.findall(carol.body)
    assert UNFOLLOW_RE.findall(html_of(carol)) == [path]

    page = client.get(path)  # not signed in: the link works on its own

    assert page.status_code == 200
    assert '<form method="post"' in page.content.decode()
    assert CallFollow.objects.get(call=cast.call, user=cast.carol).active is True

    done = client.post(path)

    assert done.status_code == 200
    assert CallFollow.objects.get(call=cast.call, user=cast.carol).active is False
    with django_capture_on_commit_callbacks(execute=True):
        later = reminders_sweep(now=local(2026, 3, 30, 9))  # "3 hours before": carol no longer
    assert sorted(r.recipient.email for r in later.queued) == ["alice@example.org", "bob@example.org"]


@pytest.mark.parametrize("forgery", ["tampered", "other-salt", "unknown-call"])
@pytest.mark.django_db
def test_unfollow_link_with_a_forged_token_is_404(cast, client, forgery):
    token = unfollow_token(cast.carol, cast.call)
    if forgery == "tampered":
        token = token[:-1] + ("A" if token[-1] != "A" else "B")
    elif forgery == "other-salt":
        token = signing.dumps({"u": cast.carol.pk, "c": cast.call.pk}, salt="someone.else", compress=True)
    else:
        token = signing.dumps({"u": cast.carol.pk, "c": cast.call.pk + 1000}, salt="clusterportal.unfollow", compress=True)

    assert client.get(f"/unfollow/{token}/").status_code == 404
    assert client.post(f"/unfollow/{token}/").status_code == 404
    assert CallFollow.objects.get(call=cast.call, user=cast.carol).active is True
