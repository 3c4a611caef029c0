"""The deadline moment, measured the way the portal is deployed: Debian's nginx with the
project's own proxy configuration (deploy/nginx.conf) in front of gunicorn with production
settings, PostgreSQL and Redis, and the Celery render worker and mailer that compose runs beside
them (receipts rendered and mailed while the rush goes on), all on loopback, started here and
stopped at the end.

- boundary: N applicants press "save and submit" spread over the second around a
  deadline a few seconds ahead. Assertions (non-zero exit when one fails): nothing lost
  (every request that reached the proxy >= 50 ms before the deadline is accepted),
  nothing recorded after the deadline, no duplicate, no 5xx, every refused request one
  late-attempt event, and no draft changed by a refused request.
- rush: save-and-submit POSTs by 16 and 64 clients, next to a bare Django view that
  inserts one row, through the same proxy and workers in the same run: throughput ratio
  and p99 latency.

Needs PostgreSQL (BENCH_DATABASE_URL), Redis (BENCH_REDIS_URL) and /usr/sbin/nginx; without
them the scenario says so and is skipped (``make bench`` in CI has them)."""

import http.client
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.db import connection
from django.test import Client

from bench import env
from intake import deadlines
from intake.models import AuditEvent, Organisation, PreRegistration, Submission
from tests.factories import CallFactory, OrganisationFactory, PreRegistrationFactory, UserFactory, complete_preregistration_data

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
ON_TIME_MARGIN = 0.050  # seconds: what reached the proxy this long before the deadline must be accepted
WORKERS = int(os.environ.get("BENCH_WEB_WORKERS", "3"))  # the Dockerfile's default


def missing() -> str:
    """Why the scenario cannot run here, or ''."""
    if connection.vendor != "postgresql":
        return "needs PostgreSQL (set BENCH_DATABASE_URL)"
    if not settings.CELERY_BROKER_URL.startswith("redis"):
        return "needs Redis (set BENCH_REDIS_URL)"
    if not Path(NGINX).exists():
        return "needs nginx (Debian: apt-get install nginx)"
    return ""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(port: int, timeout: float = 30) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


class Stack:
    """gunicorn (production settings) behind nginx (deploy/nginx.conf), on loopback."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="bench-stack-", dir=env.VAR))
        self.web_port, self.port = _free_port(), _free_port()
        self.processes: list[subprocess.Popen] = []

    def _app_env(self) -> dict:
        return {
            **os.environ,
            "DJANGO_ENV": "production",
            "DJANGO_SETTINGS_MODULE": "bench.settings_production",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "TRUSTED_PROXIES": "1",
            "ARRIVAL_FROM_PROXY": "True",
            "SECURE_SSL_REDIRECT": "False",
            "EMAIL_URL": "consolemail://",
            "STATIC_ROOT": str(self.dir / "static"),
            "PRIVATE_STORAGE_ROOT": str(env.VAR / "private"),
        }

    def start(self) -> "Stack":
        app_env = self._app_env()
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "collectstatic", "--noinput", "-v", "0"], cwd=env.ROOT, env=app_env, check=True)
        log = open(self.dir / "gunicorn.log", "w")  # noqa: SIM115 -- lives as long as gunicorn
        gunicorn = [GUNICORN, "clusterportal.wsgi:application", "--bind", f"127.0.0.1:{self.web_port}"]
        gunicorn += ["--workers", str(WORKERS), "--timeout", "60", "--backlog", "2048"]
        self.processes.append(subprocess.Popen(gunicorn, cwd=env.ROOT, env=app_env, stdout=log, stderr=subprocess.STDOUT))
        # Beside them, as compose deploys it: a render worker (2 processes) and a mailer, so
        # each accepted submission's receipt is rendered and mailed during the rush, on the
        # same two cores, as on the morning of a deadline.
        celery = [str(Path(sys.executable).with_name("celery")), "-A", "clusterportal", "worker", "-l", "warning"]
        for name, prefix, options in (
            # The render worker at nice 10, as compose runs it: receipts take the CPU requests leave.
            ("render", ["nice", "-n", "10"], ["-Q", "celery", "--concurrency", "2", "--max-tasks-per-child", "200"]),
            ("mailer", [], ["-Q", "mail", "--pool", "threads", "--concurrency", "4"]),
        ):
            worker_log = open(self.dir / f"worker-{name}.log", "w")  # noqa: SIM115 -- lives as long as the worker
            command = [*prefix, *celery, "-n", f"bench-{name}@%h", "--without-gossip", *options]
            self.processes.append(
                subprocess.Popen(command, cwd=env.ROOT, env=app_env, stdout=worker_log, stderr=subprocess.STDOUT)
            )
        _wait_for(self.web_port)
        self.processes.append(subprocess.Popen([NGINX, "-p", str(self.dir), "-c", str(self._nginx_conf()), "-g", "daemon off;"]))
        _wait_for(self.port)
        return self

    def _nginx_conf(self) -> Path:
        """deploy/nginx.conf as it is, pointed at this gunicorn and port, in an nginx.conf frame."""
        site = (env.ROOT / "deploy" / "nginx.conf").read_text()
        site = site.replace("server web:8000;", f"server 127.0.0.1:{self.web_port};")
        site = site.replace("listen 80;", f"listen 127.0.0.1:{self.port} backlog=2048;")
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.dir / name).mkdir(exist_ok=True)
        frame = f"""
user root;
worker_processes 1;
pid {self.dir}/nginx.pid;
error_log {self.dir}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {self.dir}/client_body;
    proxy_temp_path {self.dir}/proxy;
    fastcgi_temp_path {self.dir}/fastcgi;
    uwsgi_temp_path {self.dir}/uwsgi;
    scgi_temp_path {self.dir}/scgi;
{site}
}}
"""
        path = self.dir / "nginx.conf"
        path.write_text(frame)
        return path

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


@dataclass
class Result:
    sent_at: float
    status: int = 0
    seconds: float = 0.0
    error: str = ""


@dataclass
class Applicant:
    organisation_id: int
    cookie: str
    body: bytes
    path: str
    results: list = field(default_factory=list)


CSRF = "b" * 32  # a fixed CSRF secret: cookie and header carry the same value


def _applicants(call, count: int, *, acronym: str) -> list[Applicant]:
    """``count`` organisations, each with a complete draft and a signed-in session, and the
    body of its "save and submit" (which changes the acronym: a refused one must not)."""
    applicants = []
    data = complete_preregistration_data(call)
    for _ in range(count):
        user = UserFactory()
        organisation = OrganisationFactory(owner=user)
        draft = PreRegistrationFactory(call=call, organisation=organisation, complete=True, version=1)
        client = Client()
        client.force_login(user)
        fields = {k: ("" if v is None else getattr(v, "pk", v)) for k, v in data.items()}
        fields |= {"organisation": organisation.pk, "version": draft.version, "acronym": acronym, "and_submit": "1"}
        fields["csrfmiddlewaretoken"] = CSRF
        cookie = f"sessionid={client.cookies['sessionid'].value}; csrftoken={CSRF}"
        path = f"/calls/{call.slug}/preregistration/?organisation={organisation.pk}"
        applicants.append(Applicant(organisation.pk, cookie, urlencode(fields).encode(), path))
    return applicants


def _post(port: int, path: str, body: bytes | None, cookie: str, at: float | None = None) -> Result:
    """A POST of ``body``, or a GET when there is none (an anonymous one without a cookie)."""
    connection_ = http.client.HTTPConnection("127.0.0.1", port, timeout=90)
    headers = {"Host": "127.0.0.1"}
    if body is not None:
        headers |= {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    try:
        connection_.connect()
        if at is not None:
            time.sleep(max(0.0, at - time.time()))
        sent = time.time()
        start = time.perf_counter()
        connection_.request("POST" if body is not None else "GET", path, body=body, headers=headers)
        response = connection_.getresponse()
        response.read()
        return Result(sent, response.status, time.perf_counter() - start)
    except OSError as exc:
        return Result(time.time(), 0, 0.0, f"{type(exc).__name__}: {exc}")
    finally:
        connection_.close()


def _new_call(**fields):
    now = deadlines.clock()
    return CallFactory(opens_at=now - timedelta(days=10), dossier_deadline=now + timedelta(days=60), **fields)


def boundary(stack: Stack, *, clients: int, lead: float = 4.0, spread: float = 1.0) -> dict:
    call = _new_call(preregistration_deadline=deadlines.clock() + timedelta(seconds=lead + 60))
    applicants = _applicants(call, clients, acronym="NA")
    # The deadline: `lead` seconds from now, exact to the microsecond.
    deadline = deadlines.clock() + timedelta(seconds=lead)
    type(call).objects.filter(pk=call.pk).update(preregistration_deadline=deadline)
    target = deadline.timestamp()
    offsets = [-spread / 2 + spread * i / max(1, clients - 1) for i in range(clients)]
    threads = []
    for applicant, offset in zip(applicants, offsets, strict=True):

        def send(applicant=applicant, offset=offset):
            applicant.results.append(_post(stack.port, applicant.path, applicant.body, applicant.cookie, at=target + offset))

        threads.append(threading.Thread(target=send))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    submitted = dict(
        Submission.objects.filter(call=call).values_list("organisation_id", "submitted_at")
    )  # one per organisation: the unique reference makes a duplicate impossible to hide
    duplicates = Submission.objects.filter(call=call).count() - len(submitted)
    drafts = dict(PreRegistration.objects.filter(call=call).values_list("organisation_id", "acronym"))
    late_events = AuditEvent.objects.filter(call=call, action="preregistration.late_attempt").count()
    rows = [(a, a.results[0]) for a in applicants]
    early = [(a, r) for a, r in rows if r.sent_at <= target - ON_TIME_MARGIN]
    refused = [(a, r) for a, r in rows if a.organisation_id not in submitted]
    failures = {
        "lost (reached the proxy >= 50 ms before the deadline, refused)": sum(
            1 for a, _r in early if a.organisation_id not in submitted
        ),
        "recorded at or after the deadline": sum(1 for at in submitted.values() if at >= deadline),
        "accepted although sent after the deadline": sum(
            1 for a, r in rows if r.sent_at > target + 0.001 and a.organisation_id in submitted
        ),
        "duplicates": duplicates,
        "5xx or no answer": sum(1 for _a, r in rows if r.status >= 500 or r.status == 0),
        "late-attempt events != refused requests": abs(late_events - len(refused)),
        "drafts changed by a refused request": sum(1 for a, _r in refused if drafts[a.organisation_id] == "NA"),
    }
    latencies = sorted(r.seconds for _a, r in rows if r.status)
    return {
        "clients": clients,
        "accepted": len(submitted),
        "refused": len(refused),
        "late_events": late_events,
        "p99_ms": 1000 * latencies[max(0, int(len(latencies) * 0.99) - 1)] if latencies else None,
        "max_wait_ms": 1000 * latencies[-1] if latencies else None,
        "failures": failures,
    }


def _throughput(stack: Stack, jobs: list[tuple[str, bytes, str]], clients: int) -> tuple[float, float, int]:
    """Run ``jobs`` (path, body, cookie) over ``clients`` threads; (requests/s, p99 s, errors)."""
    queue = list(reversed(jobs))
    lock = threading.Lock()
    results: list[Result] = []

    def worker():
        while True:
            with lock:
                if not queue:
                    return
                path, body, cookie = queue.pop()
            result = _post(stack.port, path, body, cookie)
            with lock:
                results.append(result)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    elapsed = time.perf_counter() - start
    latencies = sorted(r.seconds for r in results)
    errors = sum(1 for r in results if r.status >= 400 or r.status == 0)
    return len(results) / elapsed, latencies[max(0, int(len(latencies) * 0.99) - 1)], errors


def rush(stack: Stack, *, clients: int, per_client: int) -> dict:
    call = _new_call(preregistration_deadline=deadlines.clock() + timedelta(days=1))
    count = clients * per_client
    applicants = _applicants(call, count, acronym="RUSH")
    submit = [(a.path, a.body, a.cookie) for a in applicants]
    bare = [("/__bench__/insert/", b"csrfmiddlewaretoken=" + CSRF.encode(), applicants[0].cookie)] * count
    bare_rate, bare_p99, bare_errors = _throughput(stack, bare, clients)
    rate, p99, errors = _throughput(stack, submit, clients)
    accepted = Submission.objects.filter(call=call).count()
    return {
        "clients": clients,
        "requests": count,
        "submit_per_s": rate,
        "bare_insert_per_s": bare_rate,
        "ratio": rate / bare_rate,
        "p99_ms": p99 * 1000,
        "bare_p99_ms": bare_p99 * 1000,
        "errors": errors + bare_errors + (count - accepted),
    }


def _applications(call, count: int) -> None:
    """``count`` submitted pre-registrations of as many organisations, in bulk."""
    organisations = Organisation.objects.bulk_create(
        Organisation(name=f"Lezer {call.pk}-{i}", enterprise_number=f"{call.pk:03d}{i:07d}"[:10]) for i in range(count)
    )
    PreRegistration.objects.bulk_create(
        PreRegistration(call=call, organisation=o, state="submitted", number=i + 1, acronym=f"L{i}")
        for i, o in enumerate(organisations)
    )


def reading(stack: Stack, *, applications: int, requests: int, clients: int = 16) -> dict:
    """Anonymous GETs of the home page and a call's page, with ``applications`` on the
    call, next to a bare view that reads one row: the public pages must not grow with the
    applications, and cost a fraction of a rendered page (issue 11, item 5)."""
    call = _new_call(preregistration_deadline=deadlines.clock() + timedelta(days=1))
    _applications(call, applications)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # autovacuum may be off: give the planner the bulk load's statistics
    result = {"applications": applications}
    for name, path in (("bare_select", "/__bench__/select/"), ("home", "/"), ("call", call.get_absolute_url())):
        rate, p99, errors = _throughput(stack, [(path, None, "")] * requests, clients)
        result |= {f"{name}_per_s": rate, f"{name}_p99_ms": p99 * 1000, f"{name}_errors": errors}
    result["home_ratio"] = result["home_per_s"] / result["bare_select_per_s"]
    result["call_ratio"] = result["call_per_s"] / result["bare_select_per_s"]
    return result


def run() -> str:
    smoke = env.SMOKE
    reason = missing()
    if reason:
        return env.report("deadline — boundary and rush behind nginx + gunicorn", [("skipped", reason)])
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # user setup only
    stack = Stack().start()
    try:
        rounds = 1 if smoke else 3
        boundaries = [boundary(stack, clients=8 if smoke else 64) for _ in range(rounds)]
        rushes = {n: [rush(stack, clients=n, per_client=2 if smoke else 12) for _ in range(rounds)] for n in (16, 64)}
        sizes = (5, 20) if smoke else (20, 2000)
        readings = {n: [reading(stack, applications=n, requests=32 if smoke else 800) for _ in range(rounds)] for n in sizes}
    finally:
        stack.stop()
    rows = []
    failed = False
    for i, b in enumerate(boundaries, start=1):
        bad = {k: v for k, v in b["failures"].items() if v}
        failed = failed or bool(bad)
        rows.append(
            (
                f"boundary round {i}: {b['clients']} clients",
                f"{b['accepted']} accepted, {b['refused']} refused, {b['late_events']} late-attempt events, "
                f"p99 {b['p99_ms']:.0f} ms" + (f" — FAILED {bad}" if bad else " — all checks hold"),
            )
        )
    for n, results in rushes.items():
        ratio = statistics.median(r["ratio"] for r in results)
        rows.append(
            (
                f"rush {n} clients (median of {len(results)})",
                f"save-and-submit {statistics.median(r['submit_per_s'] for r in results):.0f}/s = {ratio:.2f}× bare insert "
                f"({statistics.median(r['bare_insert_per_s'] for r in results):.0f}/s); "
                f"p99 {statistics.median(r['p99_ms'] for r in results):.0f} ms; "
                f"errors {sum(r['errors'] for r in results)}",
            )
        )
        failed = failed or any(r["errors"] for r in results)
    for n, results in readings.items():
        rows.append(
            (
                f"public pages, {n} applications",
                f"home {statistics.median(r['home_per_s'] for r in results):.0f}/s = "
                f"{statistics.median(r['home_ratio'] for r in results):.2f}×, call page "
                f"{statistics.median(r['call_per_s'] for r in results):.0f}/s = "
                f"{statistics.median(r['call_ratio'] for r in results):.2f}× bare select "
                f"({statistics.median(r['bare_select_per_s'] for r in results):.0f}/s); errors "
                f"{sum(r['home_errors'] + r['call_errors'] + r['bare_select_errors'] for r in results)}",
            )
        )
        failed = failed or any(r["home_errors"] or r["call_errors"] for r in results)
    env.record("deadline", {"boundary": boundaries, "rush": rushes, "public_pages": readings})
    text = env.report(f"deadline — nginx + gunicorn ({WORKERS} sync workers), production settings, PostgreSQL + Redis", rows)
    if failed:
        raise SystemExit("deadline benchmark: a check failed (see above)")
    return text
