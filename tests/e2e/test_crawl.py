"""Every page of the three roles (and the anonymous visitor's), each also with its errors
shown after a refused POST, at 1280 px and at 390 px: no axe-core violation of any impact
(WCAG 2.1 A/AA), no horizontal overflow, and after a refused POST the focus is not left on
<body> without a role="alert" to announce what went wrong (issue 12).

The data is built once for the module (tests/e2e/crawl_data.py) and the pages are only read
or refused, so every test sees the same portal. On PostgreSQL with Redis (CI) a real Celery
worker renders the receipts and sends the e-mails the data's submissions queue; SQLite's
in-memory test database cannot be shared with a worker process, so there the tasks run
eagerly in this process. Either way the pages are served by pytest-django's live server.

With SCREENSHOTS_DIR set (``make screenshots``) the visits marked ``shot`` keep a picture
and the receipt's first page is rendered to PNG with pdftoppm (docs/screenshots/)."""

import contextlib
import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.utils import translation
from pytest_django.live_server_helper import LiveServer

from clusterportal.celery import app as celery_app
from tests.auth import TOTP_SECRET
from tests.e2e import crawl_data
from tests.e2e.conftest import ALL_IMPACTS, axe_script, axe_violations, horizontal_overflow, session_cookie
from tests.integration.conftest import Workers, empty_test_redis, publishing_to_test_redis, wait_until, worker_env
from tests.integration.smtp import smtp_server

# Not transactional: the data is the module's (committed before the first test); each test's
# own writes (a refused POST's audit event) are rolled back after it.
pytestmark = [pytest.mark.django_db, pytest.mark.e2e]

WIDTHS = (1280, 390)
PASSWORD = "correct horse battery staple"
SCREENSHOTS = Path(os.environ["SCREENSHOTS_DIR"]) if os.environ.get("SCREENSHOTS_DIR") else None
MANDATES_CSV = Path(__file__).parents[1] / "intake" / "data" / "mandates_30_with_7_errors.csv"

FOCUS_AND_ALERTS = """() => ({
  focused: document.activeElement ? document.activeElement.tagName : "BODY",
  alerts: document.querySelectorAll("[role=alert]").length,
})"""


# --- The refused POSTs and other steps a visit takes after opening its page ---------------
# A step is step(page, crawl): `crawl.fields` formats names that depend on the data.


def _no_browser_checks(page):
    """Send what the server must refuse itself: the browser's own checks (required, type=email)
    would otherwise stop the form before it is sent."""
    page.evaluate("document.querySelectorAll('form').forEach((f) => { f.noValidate = true; })")


def _send(button: str, typed: dict | None = None, *, by: str = "id"):
    def step(page, crawl):
        _no_browser_checks(page)
        for name, value in (typed or {}).items():
            name = name.format(**crawl.fields)
            page.fill(f"#id_{name}" if by == "id" else f"[name='{name}']", value)
        with page.expect_navigation():
            page.click(button)

    return step


def _main_submit(typed=None, **kwargs):
    return _send("main form button[type=submit]", typed, **kwargs)


def _stale_edit(typed: dict):
    """Save a section as a colleague's older copy of the page would: the server refuses to
    overwrite the newer version (a concurrent edit), and nothing is saved."""

    def step(page, crawl):
        page.evaluate("document.querySelector('main form input[name=version]').value = '0'")
        _main_submit(typed)(page, crawl)

    return step


def _password_step(email: str):
    def step(page, crawl):
        page.fill("input[name=login]", email)
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation(url="**/accounts/2fa/authenticate/"):
            page.press("input[name=password]", "Enter")

    return step


def _wrong_code(email: str):
    def step(page, crawl):
        _password_step(email)(page, crawl)
        counters = list(yield_hotp_counters_from_time())
        right = {format_hotp_value(hotp_value(TOTP_SECRET, counter)) for counter in counters}
        wrong = next(code for code in ("000000", "111111", "222222") if code not in right)
        _main_submit({"code": wrong}, by="name")(page, crawl)

    return step


def _upload(form: str, file: Callable[[Path], Path] | Path):
    def step(page, crawl):
        path = file(crawl.tmp) if callable(file) else file
        page.set_input_files(f"{form} input[type=file]", str(path))
        _send(f"{form} button[type=submit]")(page, crawl)

    return step


def _not_a_pdf(tmp: Path) -> Path:
    path = tmp / "mandaatbrieven.pdf"
    path.write_text("Dit is geen PDF, alleen tekst met de extensie .pdf.\n")
    return path


@dataclass(frozen=True)
class Visit:
    """One page of the crawl. ``path`` is formatted with the CrawlData's fields; ``step``
    acts on the opened page; with ``refused`` the step is a POST the server refuses and
    ``refused`` a text the refusal shows (so a POST that was accepted cannot pass)."""

    name: str
    role: str
    path: str
    step: Callable | None = None
    refused: str = ""
    shot: tuple = ()  # the widths at which `make screenshots` keeps a picture of it


A = "?organisation={org}"
OPEN = "/calls/{open_call}"
NEW = "/calls/{new_call}"
REVIEW = "/reviews/{review_call}"
DOSSIER = OPEN + "/dossier"
REQUIRED = "Dit veld is verplicht"
NOT_SAVED = "niets bewaard"

VISITS = [
    # Anyone, signed out.
    Visit("home", "anonymous", "/"),
    Visit("call-page-anonymous", "anonymous", OPEN + "/"),
    Visit("login", "anonymous", "/accounts/login/", shot=(1280,)),
    Visit(
        "login-refused",
        "anonymous",
        "/accounts/login/",
        _main_submit({"login": "an@example.org", "password": "fout"}),
        refused="niet correct",
    ),
    Visit("signup", "anonymous", "/accounts/signup/"),
    Visit(
        "signup-refused",
        "anonymous",
        "/accounts/signup/",
        _main_submit({"email": "nieuw@example.org", "password1": "kort", "password2": "anders"}),
        refused="Dit wachtwoord is te kort",
        shot=(390,),
    ),
    Visit("password-reset", "anonymous", "/accounts/password/reset/"),
    Visit("password-reset-refused", "anonymous", "/accounts/password/reset/", _main_submit({"email": ""}), refused=REQUIRED),
    Visit("two-step-code", "anonymous", "/accounts/login/", _password_step("dirk.beoordelaar@agentschap.example"), shot=(1280,)),
    Visit(
        "two-step-code-refused",
        "anonymous",
        "/accounts/login/",
        _wrong_code("dirk.beoordelaar@agentschap.example"),
        refused="code",
    ),
    Visit("not-found", "anonymous", "/dit-bestaat-niet/"),
    Visit("receipt-verify", "anonymous", "/receipts/verify/"),
    # The applicant: organisation member, with a submitted dossier and an empty one.
    Visit("home-signed-in", "applicant", "/"),
    Visit("call-page", "applicant", OPEN + "/", shot=(390,)),
    Visit("call-page-new-call", "applicant", NEW + "/"),
    Visit("choose-organisation", "applicant", NEW + "/preregistration/"),
    Visit("preregistration-first-visit", "applicant", NEW + "/preregistration/" + A, shot=(1280, 390)),
    Visit(
        "preregistration-refused",
        "applicant",
        NEW + "/preregistration/" + A,
        _main_submit(
            {"network_name": "Netwerk voor slimme warmte", "expected_member_count": "10", "committed_member_count": "12"}
        ),
        refused=NOT_SAVED,
        shot=(390,),
    ),
    Visit(
        "preregistration-save-and-submit-refused",
        "applicant",
        NEW + "/preregistration/" + A,
        _send("button[name=and_submit]"),
        refused="niets bewaard of ingediend",
    ),
    Visit("preregistration-submitted", "applicant", OPEN + "/preregistration/" + A),
    Visit("dossier-overview", "applicant", DOSSIER + "/" + A, shot=(1280, 390)),
    Visit("dossier-version", "applicant", DOSSIER + "/versions/1/" + A),
    Visit("dossier-locked", "applicant", NEW + "/dossier/" + A),
    Visit("dossier-section-network", "applicant", DOSSIER + "/section/network/" + A),
    Visit(
        "dossier-section-network-refused",
        "applicant",
        DOSSIER + "/section/network/" + A,
        _stale_edit({"theme": "Een ander thema"}),
        refused="NIET bewaard",
    ),
    Visit("dossier-section-objectives", "applicant", DOSSIER + "/section/objectives/" + A),
    Visit(
        "dossier-section-objectives-refused",
        "applicant",
        DOSSIER + "/section/objectives/" + A,
        _main_submit({"rows-0-year_1": "dertig"}),
        refused=NOT_SAVED,
    ),
    Visit("dossier-section-action-plan", "applicant", DOSSIER + "/section/action-plan/" + A),
    Visit(
        "dossier-section-action-plan-refused",
        "applicant",
        DOSSIER + "/section/action-plan/" + A,
        _main_submit({"rows-0-title": ""}),
        refused=NOT_SAVED,
    ),
    Visit("dossier-section-governance", "applicant", DOSSIER + "/section/governance/" + A, shot=(390,)),
    Visit(
        "dossier-section-governance-refused",
        "applicant",
        DOSSIER + "/section/governance/" + A,
        _main_submit({"staff_fte": "twee"}),
        refused=NOT_SAVED,
    ),
    Visit("dossier-mandates", "applicant", DOSSIER + "/mandates/" + A),
    Visit(
        "dossier-mandates-add-refused",
        "applicant",
        DOSSIER + "/mandates/" + A,
        _send(
            "form:has(input[name=action][value=add]) button[type=submit]",
            {"enterprise_number": "0403.019.261", "postal_code": "40"},
        ),
        refused=NOT_SAVED,
    ),
    Visit(
        "dossier-mandates-import-refused",
        "applicant",
        DOSSIER + "/mandates/" + A,
        _upload("form:has(input[name=action][value=import])", MANDATES_CSV),
        refused="niets",
    ),
    Visit("dossier-mandate-edit", "applicant", DOSSIER + "/mandates/{mandate}/" + A),
    Visit(
        "dossier-mandate-edit-refused",
        "applicant",
        DOSSIER + "/mandates/{mandate}/" + A,
        _main_submit({"name": ""}),
        refused=NOT_SAVED,
    ),
    Visit("dossier-budget", "applicant", DOSSIER + "/budget/" + A, shot=(1280,)),
    Visit(
        "dossier-budget-refused",
        "applicant",
        DOSSIER + "/budget/" + A,
        _main_submit({"years-0-staff_costs": "120.000,00", "years-0-operating_costs": "twaalf"}),
        refused=NOT_SAVED,
        shot=(1280,),
    ),
    Visit("dossier-attachments", "applicant", DOSSIER + "/attachments/" + A),
    Visit(
        "dossier-attachments-refused",
        "applicant",
        DOSSIER + "/attachments/" + A,
        _upload("main form[enctype]", _not_a_pdf),
        refused="PDF",
    ),
    Visit("dossier-section-declarations", "applicant", DOSSIER + "/section/declarations/" + A),
    Visit("dossier-draft-overview", "applicant", DOSSIER + "/?organisation={draft_org}"),
    Visit(
        "dossier-submit-refused",
        "applicant",
        DOSSIER + "/?organisation={draft_org}",
        _send("form[action$='/dossier/submit/'] button[type=submit]"),
        refused="Nog te doen",
        shot=(390,),
    ),
    Visit("organisations", "applicant", "/organisations/"),
    Visit("organisation", "applicant", "/organisations/{org}/"),
    Visit(
        "invitation-refused",
        "applicant",
        "/organisations/{org}/",
        _send("form[action$='/invitations/'] button[type=submit]", {"email": "geen-adres"}),
        refused="e-mailadres",
    ),
    Visit("organisation-edit", "applicant", "/organisations/{org}/edit/"),
    Visit("organisation-edit-refused", "applicant", "/organisations/{org}/edit/", _main_submit({"name": ""}), refused=REQUIRED),
    Visit("organisation-new", "applicant", "/organisations/new/"),
    Visit(
        "organisation-new-refused",
        "applicant",
        "/organisations/new/",
        _main_submit({"enterprise_number": "0403.019.262"}),
        refused=REQUIRED,
    ),
    Visit("invitation-accept", "applicant", "/invitations/{invitation}/"),
    Visit("receipt-verify-signed-in", "applicant", "/receipts/verify/"),
    Visit(
        "receipt-verify-refused",
        "applicant",
        "/receipts/verify/",
        _main_submit({"reference": "IBN4-DS-0001-1", "sha256": "abc"}),
        refused="SHA-256",
    ),
    Visit("account-two-step", "applicant", "/accounts/2fa/"),
    Visit("account-email", "applicant", "/accounts/email/"),
    Visit("account-password", "applicant", "/accounts/password/change/"),
    # The reviewer (signed in with TOTP), and before the second factor.
    Visit("second-factor", "reviewer-password-only", "/reviews/"),
    Visit("reviews-dashboard", "reviewer", "/reviews/", shot=(1280,)),
    Visit("reviews-list", "reviewer", REVIEW + "/", shot=(1280,)),
    Visit("reviews-list-filtered", "reviewer", REVIEW + "/?phase=dossier&assigned_to_me=on"),
    Visit("reviews-dossier", "reviewer", REVIEW + "/dossiers/{review_ref}/", shot=(1280, 390)),
    Visit(
        "reviews-scores-refused",
        "reviewer",
        REVIEW + "/dossiers/{review_ref}/",
        _send("button[name=submit]", {"score_{criterion}": "99"}, by="name"),
        refused="score",
    ),
    Visit("reviews-declaration", "reviewer", REVIEW + "/dossiers/{undeclared_ref}/"),
    Visit(
        "reviews-declaration-refused",
        "reviewer",
        REVIEW + "/dossiers/{undeclared_ref}/",
        _main_submit(),
        refused="een van beide",
    ),
    # The call manager: the admin, and the reviewers' pages as a manager sees them.
    Visit("admin-index", "manager", "/admin/"),
    Visit("admin-calls", "manager", "/admin/intake/call/"),
    Visit("admin-call-add", "manager", "/admin/intake/call/add/"),
    Visit("admin-call-add-refused", "manager", "/admin/intake/call/add/", _send("input[name=_save]"), refused=REQUIRED),
    Visit("admin-call-change", "manager", "/admin/intake/call/{call_pk}/change/", shot=(1280,)),
    Visit("admin-extensions", "manager", "/admin/intake/extension/"),
    Visit("admin-extension-add", "manager", "/admin/intake/extension/add/"),
    Visit("admin-extension-add-refused", "manager", "/admin/intake/extension/add/", _send("input[name=_save]"), refused=REQUIRED),
    Visit("admin-extension-change", "manager", "/admin/intake/extension/{extension_pk}/change/"),
    Visit("manager-reviews-dashboard", "manager", "/reviews/"),
    Visit("manager-reviews-list", "manager", REVIEW + "/"),
    Visit("manager-reviews-dossier", "manager", REVIEW + "/dossiers/{review_ref}/"),
    Visit("manager-assignments", "manager", REVIEW + "/assignments/"),
    Visit("manager-assignments-refused", "manager", REVIEW + "/assignments/", _main_submit(), refused=REQUIRED),
]


# --- One portal for the whole crawl -------------------------------------------------------------


@dataclass
class Crawl:
    url: str
    data: crawl_data.CrawlData
    contexts: dict
    pages: dict  # one tab per role, reused by every visit of that role
    tmp: Path

    @property
    def fields(self) -> dict:
        return {name: getattr(self.data, name) for name in self.data.__dataclass_fields__}


@contextlib.contextmanager
def _tasks_run(root: Path):
    """Where the tasks queued while the data is built run. PostgreSQL: a real worker
    (solo pool), consuming from Redis database 13, sending to an SMTP server in this process,
    writing the receipts where the live server reads them. SQLite: eagerly, here."""
    if connection.vendor != "postgresql":
        previous = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
        celery_app.conf.task_always_eager = celery_app.conf.task_eager_propagates = True
        try:
            yield None
        finally:
            celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = previous
        return
    with empty_test_redis(), smtp_server() as smtp, publishing_to_test_redis():
        workers = Workers(env=worker_env(tmp_path=root, smtp_port=smtp.port), tmp_path=root)
        try:
            workers.start()
            yield workers
        finally:
            smtp.release()
            workers.stop_all()


@pytest.fixture(scope="module")
def crawl(browser, django_db_setup, django_db_blocker, tmp_path_factory):
    """The data, the live server and a signed-in browser context per role, for the module.

    The server is pytest-django's LiveServer, started here rather than through the
    ``live_server`` fixture: that fixture makes every test transactional, and the flush
    after each would throw away the data the whole crawl reads."""
    root = tmp_path_factory.mktemp("crawl")
    private = root / "var" / "private"  # the worker's $VAR_DIR/private, see worker_env
    private.mkdir(parents=True)
    overrides = override_settings(
        ALLOWED_HOSTS=["*"],
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "crawl"}},
        STORAGES={
            **django_settings.STORAGES,
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(private)}},
        },
        LANGUAGE_CODE="nl-be",
    )
    with django_db_blocker.unblock(), overrides, translation.override("nl"):
        try:
            # The worker runs for the whole crawl: whatever a page queues goes to it too.
            with _tasks_run(root) as workers:
                data = crawl_data.build()
                wait_until(
                    lambda: crawl_data.receipts_rendered(data),
                    what="the receipts of the crawl's submissions",
                    context=workers.logs if workers else lambda: "",
                )
                with _served(browser, data) as (server, contexts, pages):
                    yield Crawl(url=server.url, data=data, contexts=contexts, pages=pages, tmp=root)
        finally:
            # What a transactional test leaves: an empty database (the groups come back).
            call_command("flush", verbosity=0, interactive=False)


@contextlib.contextmanager
def _served(browser, data):
    """The live server, and a browser context (with one tab) per role, signed in as allauth
    records it: the reviewer and the manager with their second factor."""
    server = LiveServer("localhost")
    contexts, pages = {}, {}
    try:
        sessions = {
            "applicant": session_cookie(data.applicant, server.url, second_factor=False),
            "reviewer": session_cookie(data.reviewer, server.url),
            "reviewer-password-only": session_cookie(data.reviewer, server.url, second_factor=False),
            "manager": session_cookie(data.manager, server.url),
        }
        for role in ("anonymous", *sessions):
            context = browser.new_context(base_url=server.url, locale="nl-BE", bypass_csp=True)
            context.set_default_timeout(15000)
            context.add_init_script(path=str(axe_script()))  # once per context, not sent for every page
            if role in sessions:
                context.add_cookies([sessions[role]])
            contexts[role] = context
            pages[role] = context.new_page()
        yield server, contexts, pages
    finally:
        for context in contexts.values():
            context.close()
        server.stop()


@pytest.fixture
def _eager_celery():
    """Not eager here: on PostgreSQL the crawl's worker takes what the pages queue."""


def _shot(page, name: str, width: int):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("visit", VISITS, ids=[v.name for v in VISITS])
def test_page(crawl, visit, width):
    page = crawl.pages[visit.role]
    if visit.role == "anonymous":
        # Anonymous means no cookies: a sign-in begun by an earlier visit (two-step-code)
        # would otherwise live on where sessions are kept in the cache (cached_db, with
        # Redis), which the test's rollback of the database does not reach.
        crawl.contexts["anonymous"].clear_cookies()
    try:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(visit.path.format(**crawl.fields))
        if visit.step:
            visit.step(page, crawl)
        page.wait_for_load_state()
        if visit.refused:
            text = page.inner_text("body")
            assert visit.refused.lower() in text.lower(), f"not refused: {visit.name} at {page.url}: {text[:600]}"
            state = page.evaluate(FOCUS_AND_ALERTS)
            assert state["focused"] != "BODY" or state["alerts"] > 0, f"focus on <body>, no role=alert: {visit.name}"
        assert horizontal_overflow(page) == 0, f"{visit.name} is {horizontal_overflow(page)} px wider than {width} px"
        if SCREENSHOTS is not None and width in visit.shot:
            _shot(page, visit.name, width)
        assert axe_violations(page, impacts=ALL_IMPACTS) == [], visit.name
    finally:
        page.goto("about:blank")  # nothing of this visit (a half-sent form) reaches the next


def test_receipt_download_is_the_rendered_pdf(crawl):
    """The receipt of the applicant's dossier (rendered by the worker on PostgreSQL),
    downloaded as its organisation's member."""
    response = crawl.contexts["applicant"].request.get(f"/receipts/{crawl.data.dossier_ref}/")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")
    if SCREENSHOTS is not None and shutil.which("pdftoppm"):
        pdf = crawl.tmp / "receipt.pdf"
        pdf.write_bytes(response.body())
        # First page only, at screen resolution: a picture of the receipt for the README.
        subprocess.run(
            ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(SCREENSHOTS / "receipt")],
            check=True,
        )
