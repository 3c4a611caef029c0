"""The home page lists open and upcoming calls with both deadlines in Brussels time."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.utils import translation

from intake.kernel.formatting import BRUSSELS, format_brussels, format_instant
from tests.factories import CallFactory


def _call(**kwargs):
    return CallFactory(
        opens_at=datetime(2025, 10, 15, 9, 0, tzinfo=BRUSSELS),
        preregistration_deadline=datetime(2026, 1, 23, 12, 0, tzinfo=BRUSSELS),
        dossier_deadline=datetime(2026, 5, 11, 12, 0, tzinfo=BRUSSELS),
        **kwargs,
    )


def test_format_brussels_winter_and_summer():
    with translation.override("nl"):
        # 11:00 UTC on 23 January is 12:00 in Brussels (CET, UTC+1)
        assert format_brussels(datetime(2026, 1, 23, 11, 0, tzinfo=UTC)) == "23 januari 2026 om 12:00"
        # 10:00 UTC on 11 May is 12:00 in Brussels (CEST, UTC+2)
        assert format_brussels(datetime(2026, 5, 11, 10, 0, tzinfo=UTC)) == "11 mei 2026 om 12:00"
    with translation.override("en"):
        assert format_brussels(datetime(2026, 5, 11, 12, 0, tzinfo=BRUSSELS)) == "11 May 2026 at 12:00"


def test_format_instant_has_seconds_and_offset():
    with translation.override("nl"):
        assert (
            format_instant(datetime(2026, 1, 23, 11, 59, 59, 999999, tzinfo=BRUSSELS))
            == "23 januari 2026 om 11:59:59 (UTC+01:00)"
        )
        assert format_instant(datetime(2026, 5, 11, 11, 0, 0, tzinfo=BRUSSELS)) == "11 mei 2026 om 11:00:00 (UTC+02:00)"


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
def test_unpublished_call_is_not_found(client):
    call = _call(is_published=False)
    assert client.get(f"/calls/{call.slug}/").status_code == 404
