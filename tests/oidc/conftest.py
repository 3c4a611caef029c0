"""A real OpenID Connect provider on loopback for the sign-in tests.

``oidc_provider`` (session scope) starts the Django project in tests/oidc_provider/
(django-oauth-toolkit with OIDC, an RS256 key generated for the session, its own SQLite
file) in a process of its own on 127.0.0.1 and a free port, and stops it at the end of
the session, whatever happened. The test process never loads that project's Django
settings: it talks to it over HTTP, and registers clients through its management
command.

    def test_sign_in(client, oidc_provider):
        oidc_provider.register_client("portal", "s3cret", ["http://testserver/accounts/oidc/vlaio/login/callback/"])
        oidc_provider.set_person("an", "pw", {"email": "an@example.be", "enterprise_roles": ["applicant"]})
        response = client.get(login_url)  # the portal redirects to the provider
        callback = oidc_provider.authorize(requests.Session(), response["Location"], "an", "pw")
        client.get(callback)  # the portal exchanges the code at the provider over HTTP

People are cleared after every test that used the provider; clients stay registered
(register_client creates or updates)."""

import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

# The one list of hostile modes (a plain module: nothing of Django is imported here).
from tests.oidc_provider.people import ID_TOKEN_MODES

ROOT = Path(__file__).resolve().parents[2]
SETTINGS_MODULE = "tests.oidc_provider.settings"
START_TIMEOUT = 30.0  # seconds; it takes about one on the CI machine
HTTP_TIMEOUT = 15.0
COMMAND_TIMEOUT = 60.0
MAX_HOPS = 10  # redirects and form posts within the provider in one authorize()


class _Forms(HTMLParser):
    """The forms of a page: action and the name/value of each input (the provider's
    login page is plain HTML, so no browser is needed to fill it)."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append({"action": attributes.get("action", ""), "fields": {}})
        elif tag in {"input", "button"} and self.forms and attributes.get("name"):
            self.forms[-1]["fields"][attributes["name"]] = attributes.get("value", "")


def _login_form(html: str) -> dict | None:
    parser = _Forms()
    parser.feed(html)
    return next((form for form in parser.forms if {"username", "password"} <= form["fields"].keys()), None)


@dataclass
class Provider:
    base_url: str  # http://127.0.0.1:<port>
    issuer: str  # base_url + "/o", exactly the ID tokens' iss
    discovery_url: str  # answers 200 with the discovery document, GET as is
    jwks_url: str
    people_file: Path
    log_file: Path
    env: dict
    _lock: threading.Lock = field(default_factory=threading.Lock)
    # client_id -> the registration last made: the same one again costs no process.
    _registered: dict = field(default_factory=dict)

    def discovery(self) -> dict:
        response = requests.get(self.discovery_url, timeout=HTTP_TIMEOUT)
        response.raise_for_status()
        return response.json()

    def register_client(self, client_id: str, secret: str, redirect_uris: list[str], *, post_logout_redirect_uris=()) -> None:
        """Create or update a confidential authorization-code client with RS256 ID
        tokens and no consent screen. ``secret`` is the plain secret the client sends;
        the provider stores it hashed."""
        if not redirect_uris:
            raise ValueError("an authorization-code client needs at least one redirect URI")
        arguments = [client_id, secret]
        arguments += [f"--redirect-uri={uri}" for uri in redirect_uris]
        arguments += [f"--post-logout-redirect-uri={uri}" for uri in post_logout_redirect_uris]
        if self._registered.get(client_id) == arguments:
            return
        _manage(self.env, "oidc_client", *arguments)
        self._registered[client_id] = arguments

    def set_person(self, username: str, password: str, claims: dict, *, id_token: str = "normal") -> None:  # noqa: S107 -- a mode, not a password
        """Let ``username`` sign in with ``password``; the ID token and userinfo carry
        ``claims`` (``sub`` is the username unless the claims give one). ``id_token``
        is "normal" or a hostile mode: "expired", "wrong_signature", "wrong_nonce",
        "wrong_audience". Takes effect at the provider's next request."""
        if id_token not in ID_TOKEN_MODES:
            raise ValueError(f"id_token must be one of {ID_TOKEN_MODES}, not {id_token!r}")
        with self._lock:
            people = json.loads(self.people_file.read_text(encoding="utf-8"))
            people[username] = {"password": password, "claims": claims, "id_token": id_token}
            self._write_people(people)

    def reset(self) -> None:
        """Nobody can sign in any more (and sessions of removed people end)."""
        with self._lock:
            self._write_people({})

    def _write_people(self, people: dict) -> None:
        # Written aside and renamed over: the provider never reads half a file.
        scratch = self.people_file.with_suffix(".tmp")
        scratch.write_text(json.dumps(people, indent=2), encoding="utf-8")
        scratch.replace(self.people_file)

    def authorize(self, session: requests.Session, authorize_url: str, username: str, password: str) -> str:
        """Walk the provider as a browser would, from the authorization URL the portal
        redirected to: follow the provider's redirects, sign in on its login form
        (with its CSRF token) when it shows one, and return the URL the provider finally
        redirects to outside itself (the client's callback with ``code`` and ``state``,
        or with ``error``) without requesting it.

        ``session`` is the browser's cookie jar at the provider: one already signed in
        there is not asked again (and gets a code for whoever is signed in)."""
        if not self._is_mine(authorize_url):
            raise ValueError(f"{authorize_url} is not at the provider ({self.base_url})")
        url, data, signed_in = authorize_url, None, False
        for _ in range(MAX_HOPS):
            if data is None:
                response = session.get(url, allow_redirects=False, timeout=HTTP_TIMEOUT)
            else:
                # A browser sends Origin on a form post; Django's CSRF check reads it.
                response = session.post(
                    url, data=data, headers={"Origin": self.base_url}, allow_redirects=False, timeout=HTTP_TIMEOUT
                )
            if response.is_redirect:
                location = urljoin(url, response.headers["Location"])
                if not self._is_mine(location):
                    return location
                url, data = location, None
                continue
            form = _login_form(response.text) if response.status_code == 200 else None
            if form is None:
                raise AssertionError(
                    f"the provider answered {response.status_code} to {response.request.method} {url}:\n"
                    f"{response.text[:3000]}\n--- provider log ---\n{self.log_tail()}"
                )
            if signed_in:
                raise AssertionError(f"the provider refused to sign in {username!r} (wrong password or not set_person?)")
            url = urljoin(url, form["action"])
            data = {**form["fields"], "username": username, "password": password}
            signed_in = True
        raise AssertionError(f"more than {MAX_HOPS} steps at the provider from {authorize_url}")

    def _is_mine(self, url: str) -> bool:
        parts, mine = urlsplit(url), urlsplit(self.base_url)
        return (parts.scheme, parts.hostname in {"127.0.0.1", "localhost"}, parts.port) == (mine.scheme, True, mine.port)

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_file.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return ""


def _manage(env: dict, *arguments: str) -> str:
    """Run one of the provider project's management commands, as the provider's own
    process would see its settings."""
    result = subprocess.run(
        [sys.executable, "-m", "django", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
    )
    if result.returncode:
        raise AssertionError(f"provider command {arguments[0]} failed ({result.returncode}):\n{result.stderr}{result.stdout}")
    return result.stdout


def _rsa_private_key_pem() -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def _stop(process: subprocess.Popen) -> None:
    if process.stdin:
        process.stdin.close()
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _wait_for_discovery(process: subprocess.Popen, url: str, log_file: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    pause = threading.Event()
    problem = "no answer yet"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the OIDC provider exited ({process.returncode}):\n{log_file.read_text(errors='replace')}")
        try:
            response = requests.get(url, timeout=HTTP_TIMEOUT)
        except requests.ConnectionError as error:
            problem = str(error)
        else:
            if response.status_code == 200:
                return
            problem = f"{response.status_code}: {response.text[:500]}"
        pause.wait(0.05)
    log = log_file.read_text(errors="replace")
    raise AssertionError(f"the OIDC provider did not answer {url} within {START_TIMEOUT:.0f} s ({problem}):\n{log}")


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory):
    state = tmp_path_factory.mktemp("oidc_provider")
    key_file = state / "signing-key.pem"
    key_file.write_bytes(_rsa_private_key_pem())
    key_file.chmod(0o600)
    people_file = state / "people.json"
    people_file.write_text("{}", encoding="utf-8")
    log_file = state / "provider.log"

    # The port is ours from here until the provider process, which inherits this
    # listening socket, ends: no other process can take it in between.
    listening = socket.create_server(("127.0.0.1", 0))
    port = listening.getsockname()[1]
    base_url = f"http://127.0.0.1:{port}"
    issuer = f"{base_url}/o"
    env = {
        **os.environ,
        # Not the portal's settings: the provider is a project of its own.
        "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "OIDC_PROVIDER_ISSUER": issuer,
        "OIDC_PROVIDER_PRIVATE_KEY_FILE": str(key_file),
        "OIDC_PROVIDER_DATABASE": str(state / "provider.sqlite3"),
        "OIDC_PROVIDER_PEOPLE_FILE": str(people_file),
        "OIDC_PROVIDER_SECRET_KEY": secrets.token_urlsafe(50),
        "PYTHONUNBUFFERED": "1",
    }
    provider = Provider(
        base_url=base_url,
        issuer=issuer,
        # DOT answers both with and without a trailing slash (the slashed form is
        # deprecated); this is the form OpenID Connect Discovery names.
        discovery_url=f"{issuer}/.well-known/openid-configuration",
        jwks_url=f"{issuer}/.well-known/jwks.json",
        people_file=people_file,
        log_file=log_file,
        env=env,
    )

    with log_file.open("w", encoding="utf-8") as log:
        # The server starts while the database is migrated (discovery needs no
        # database): two processes on the CI machine's two cores.
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", "tests.oidc_provider.serve", str(listening.fileno())],
                cwd=ROOT,
                env=env,
                pass_fds=(listening.fileno(),),
                # Held open until _stop: at its end of file the provider exits.
                stdin=subprocess.PIPE,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        finally:
            listening.close()
        try:
            _manage(env, "migrate", "--no-input", "--verbosity=0")
            _wait_for_discovery(process, provider.discovery_url, log_file)
            yield provider
        finally:
            _stop(process)


@pytest.fixture(autouse=True)
def _oidc_people_cleared(request):
    """Each test starts from a provider where nobody can sign in: people set by one
    test never sign in during another."""
    yield
    if "oidc_provider" in request.fixturenames:
        request.getfixturevalue("oidc_provider").reset()
