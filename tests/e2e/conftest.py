"""The browser tests' fixtures and helpers, against pytest-django's live server. The
``browser`` fixture itself (Debian's Chromium) is the plugin tests/e2e/browser.py, shared
with the sign-in journeys in tests/oidc."""

from pathlib import Path

import pytest

from tests.factories import PASSWORD


@pytest.fixture
def page(browser, live_server, settings):
    settings.ALLOWED_HOSTS = ["*"]
    # bypass_csp: axe-core is injected into the page by the test, not served by the portal.
    context = browser.new_context(base_url=live_server.url, locale="nl-BE", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


ALL_IMPACTS = ("minor", "moderate", "serious", "critical")


def sign_in(page, user, password: str = PASSWORD) -> None:
    """Through the login page, as a person does; returns once the answer has loaded."""
    page.goto("/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", password)
    with page.expect_navigation():  # the page the POST answers with, not the one it left
        page.press("input[name=password]", "Enter")


def session_cookie(user, url: str, *, second_factor: bool = True) -> dict:
    """A browser cookie for a session of ``user`` signed in as allauth records it (with a
    TOTP step when ``second_factor``), for ``context.add_cookies``: no login page to walk."""
    from django.conf import settings  # noqa: PLC0415 -- settings are read when a browser test runs, not at collection
    from django.test import Client  # noqa: PLC0415 -- as above

    from tests.auth import sign_in  # noqa: PLC0415 -- imports allauth's flows: only once Django is set up

    session = sign_in(Client(), user, second_factor=second_factor).cookies[settings.SESSION_COOKIE_NAME].value
    return {"name": settings.SESSION_COOKIE_NAME, "value": session, "url": url}


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than the window (0: it reflows, WCAG 1.4.10)."""
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    return max(0, width - inner)


def axe_script() -> Path:
    """axe-core as the axe-playwright-python package ships it: a file, no CDN."""
    import axe_playwright_python  # noqa: PLC0415 -- a browser-test-only dependency, loaded only when a browser test runs

    return Path(axe_playwright_python.__file__).with_name("axe.min.js")


def axe_violations(page, *, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core (WCAG 2.1 A and AA rules) on the current page."""
    if not page.evaluate("typeof axe !== 'undefined'"):  # unless the context loads it on every page
        page.add_script_tag(path=str(axe_script()))
    # Only the violations, summarised in the page: the passes of a long page are megabytes
    # that would otherwise be computed and sent to the test for nothing.
    violations = page.evaluate(
        """async () => {
          const result = await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
            resultTypes: ['violations'],
          });
          return result.violations.map((v) => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target)}));
        }"""
    )
    return [v for v in violations if v["impact"] in impacts]
