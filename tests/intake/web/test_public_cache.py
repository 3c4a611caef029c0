"""The kept copies of the public pages (intake.web.public_cache): a second anonymous visit
costs no query; a change to a call, its priorities or its criteria is seen at once; a
phase change is never hidden by a kept copy; each visitor gets their own form token; a
signed-in user, a query string or a pending message always gets a freshly rendered page."""

import re
from datetime import datetime, timedelta

import pytest
import time_machine
from django.test import Client

from intake.kernel.formatting import BRUSSELS
from intake.models import EvaluationCriterion
from tests.factories import CallFactory, PolicyPriorityFactory

NOW = datetime(2026, 1, 23, 11, 59, 50, tzinfo=BRUSSELS)  # ten seconds before the deadline


def _call(**kwargs):
    return CallFactory(
        opens_at=datetime(2025, 10, 15, 9, 0, tzinfo=BRUSSELS),
        preregistration_deadline=datetime(2026, 1, 23, 12, 0, tzinfo=BRUSSELS),
        dossier_deadline=datetime(2026, 5, 11, 12, 0, tzinfo=BRUSSELS),
        **kwargs,
    )


@pytest.fixture(autouse=True)
def _kept(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 30


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["home", "call"])
def test_a_second_anonymous_visit_costs_no_query(client, django_assert_num_queries, page):
    call = _call()
    url = "/" if page == "home" else call.get_absolute_url()
    first = client.get(url)

    with django_assert_num_queries(0):
        second = client.get(url)

    assert first.status_code == second.status_code == 200
    assert call.title in second.content.decode()


@pytest.mark.django_db
def test_a_changed_call_is_seen_at_once(client):
    call = _call(title="Derde oproep")
    assert "Derde oproep" in client.get(call.get_absolute_url()).content.decode()

    call.title = "Derde oproep (gewijzigd)"
    call.save()

    assert "Derde oproep (gewijzigd)" in client.get(call.get_absolute_url()).content.decode()
    assert "Derde oproep (gewijzigd)" in client.get("/").content.decode()


@pytest.mark.django_db
def test_added_priorities_and_criteria_are_seen_at_once(client):
    call = _call()
    client.get(call.get_absolute_url())

    call.policy_priorities.add(PolicyPriorityFactory(name="Klimaatneutrale industrie"))
    html = client.get(call.get_absolute_url()).content.decode()
    assert "Klimaatneutrale industrie" in html

    EvaluationCriterion.objects.create(call=call, name="Impact op de Vlaamse economie", weight=40)
    assert "Impact op de Vlaamse economie" in client.get(call.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_a_kept_copy_never_outlives_the_deadline(client):
    """Kept ten seconds before 12:00, for less than those ten seconds: at 12:00:01 the page
    is rendered again and no longer offers the pre-registration as open."""
    call = _call()
    with time_machine.travel(NOW, tick=False):
        before = client.get(call.get_absolute_url()).content.decode()
    with time_machine.travel(NOW + timedelta(seconds=11), tick=False):
        after = client.get(call.get_absolute_url()).content.decode()

    assert before != after
    with time_machine.travel(NOW + timedelta(seconds=11), tick=False):
        fresh = Client().get(call.get_absolute_url(), {"fresh": "1"}).content.decode()  # a query string: never kept
    assert _main(after) == _main(fresh)


def _main(html: str) -> str:
    return re.search(r"<main.*</main>", html, re.S).group(0)


@pytest.mark.django_db
def test_each_visitor_posts_with_their_own_form_token():
    """The language switch on a kept page carries the token of the visitor it is served to."""
    call = _call()
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.get(call.get_absolute_url())

    html = second.get(call.get_absolute_url()).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    switched = second.post("/i18n/setlang/", {"language": "en", "next": "/", "csrfmiddlewaretoken": token})

    assert switched.status_code == 302
    assert "csrftoken" in second.cookies


@pytest.mark.django_db
def test_a_signed_in_user_gets_their_own_page(client, logged_in_client, organisation):
    call = _call()
    client.get(call.get_absolute_url())  # kept for anonymous visitors

    html = logged_in_client.get(call.get_absolute_url()).content.decode()

    assert organisation.name in html


@pytest.mark.django_db
def test_a_pending_message_is_shown_not_a_kept_copy(client, django_assert_max_num_queries):
    call = _call()
    client.get(call.get_absolute_url())
    client.cookies["messages"] = "something-for-this-visitor"

    with django_assert_max_num_queries(100) as captured:
        client.get(call.get_absolute_url())

    assert len(captured.captured_queries) > 0  # rendered, not served from the copy
