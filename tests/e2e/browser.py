"""The browser of the browser tests: Debian's Chromium, driven by Playwright, one per test
session. No browser download: the system Chromium is used, and CI installs it.

A plugin (tests/conftest.py names it in ``pytest_plugins``), not a conftest fixture, so
that tests/e2e and the sign-in journeys in tests/oidc share this one fixture: a second
definition in another conftest would be a second session fixture, and Playwright's sync
API cannot start while the first one runs."""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
# As the machine's own notes advise: no background networking, no first-run, no sandbox
# (tests run as root), a fresh profile each time.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if CHROMIUM is None:
        pytest.skip("no Chromium on this machine (Debian: apt-get install chromium); CI installs it")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 -- a heavy optional dependency, loaded only when a browser test runs

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
