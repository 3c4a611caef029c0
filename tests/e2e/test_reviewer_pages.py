"""The reviewers' pages in the browser (issue 12, items 10 and 11): the dashboard, the list
and the dossier page have no axe violations and do not widen beyond a 390 px phone; on a
1280 px screen the dossier's admissibility and score panel stays in view while the reviewer
reads to the end of the dossier."""

import os
from pathlib import Path

import pytest

from reviews import services
from tests.e2e.conftest import session_cookie
from tests.reviews.conftest import build_review
from tests.reviews.review_helpers import cheap_application

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]

SHOTS = Path(os.environ.get("SHOTS_DIR", "")) if os.environ.get("SHOTS_DIR") else None


@pytest.fixture
def review(transactional_db, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    return build_review()


def _signed_in(page, live_server, user):
    """The browser takes over a session signed in with a second factor, as allauth records it."""
    page.context.add_cookies([session_cookie(user, live_server.url)])


def _check(page, name: str, width: int):
    from tests.e2e.conftest import axe_violations  # noqa: PLC0415 -- the browser tests' own helper, not a fixture

    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    assert axe_violations(page, impacts=("minor", "moderate", "serious", "critical")) == [], (name, width)
    scroll_width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll_width <= inner, (name, width, scroll_width)


def test_reviewer_pages_have_no_axe_violations_and_reflow_at_390_px(page, live_server, review):
    services.conflict_declare(dossier=review.dossier, reviewer=review.reviewer, has_conflict=False)
    for number in (2, 3):
        cheap_application(review.call, number)
    _signed_in(page, live_server, review.reviewer)

    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        for name in ("dashboard", "call", "dossier"):
            page.goto(review.url(name))
            assert page.get_by_role("link", name="Beoordelen").count() == 1 or width < 768  # collapsed menu on a phone
            _check(page, name, width)


def test_score_panel_stays_in_view_at_the_end_of_a_long_dossier(page, live_server, review):
    services.conflict_declare(dossier=review.dossier, reviewer=review.reviewer, has_conflict=False)
    _signed_in(page, live_server, review.reviewer)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(review.url("dossier"))
    page.get_by_text("toon de 30 ondernemingen").click()  # the longest page: the mandates list open

    height = page.evaluate("document.documentElement.scrollHeight")
    assert height > 2 * 800, height  # long enough for the panel to scroll away if it were not sticky
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    page.wait_for_function("window.scrollY > 0")

    submit = page.get_by_role("button", name="Mijn scores indienen")
    box = submit.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 800, box
    heading = page.get_by_role("heading", name="Jouw scores").bounding_box()
    assert heading is not None and 0 <= heading["y"] <= 800, heading


def test_on_a_phone_a_link_at_the_top_leads_to_the_score_panel(page, live_server, review):
    services.conflict_declare(dossier=review.dossier, reviewer=review.reviewer, has_conflict=False)
    _signed_in(page, live_server, review.reviewer)
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(review.url("dossier"))

    link = page.get_by_role("link", name="Naar ontvankelijkheid en scores")
    assert link.bounding_box()["y"] < 800  # on the first screen
    link.click()
    # Bootstrap scrolls smoothly: wait until the panel has arrived at the top.
    page.wait_for_function("Math.abs(document.getElementById('review-panel').getBoundingClientRect().top) < 2")

    heading = page.get_by_role("heading", name="Jouw scores").bounding_box()
    assert heading is not None and heading["y"] < 800


ROW_TOPS = """
() => [["q", "phase", "state"], ["priority", "admissibility", "scored", "sort"]].map(
  (row) => row.map((name) => Math.round(document.querySelector(`[name=${name}]`).getBoundingClientRect().top))
)
"""


def test_list_filter_controls_are_aligned(page, live_server, review):
    _signed_in(page, live_server, review.manager)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(review.url("call"))

    for row in page.evaluate(ROW_TOPS):
        assert len(set(row)) == 1, row  # a help text or a checkbox does not shift its neighbours
    button = page.get_by_role("button", name="Filteren").bounding_box()
    checkbox = page.get_by_label("Aan mij toegewezen").bounding_box()
    assert abs((button["y"] + button["height"] / 2) - (checkbox["y"] + checkbox["height"] / 2)) < 4
