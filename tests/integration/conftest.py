"""Real processes for the integration tests: Celery workers in subprocesses, consuming
from a Redis database of their own, sending to a real SMTP server (aiosmtpd) that runs
in the test process, and reading and writing pytest-django's PostgreSQL test database.

The app's tasks go to the default queue ("celery"). So that no other worker on the
machine steals them, the workers and this process use Redis database 13, flushed before
each test. SQLite's test database lives in memory and cannot be shared with a worker:
on SQLite these tests are skipped (CI runs them on PostgreSQL, where a skip is a failure)."""

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlparse

import kombu.pools
import pytest
import redis
from django.db import connection

from clusterportal.celery import app as celery_app
from tests.integration.smtp import smtp_server

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))
REDIS_DB = 13
TIMEOUT = 60.0  # seconds to wait for an outcome
POLL = 0.1

# Starts a worker with extra broker transport options (from JSON in an environment
# variable) on top of the app's settings: used to restart after a crash with a short
# Redis visibility timeout, which stands for "an hour later".
WORKER_WITH_TRANSPORT_OPTIONS = (
    "import json, os, sys\n"
    "from clusterportal.celery import app\n"
    "app.conf.broker_transport_options = {\n"
    "    **app.conf.broker_transport_options, **json.loads(os.environ['TEST_BROKER_TRANSPORT_OPTIONS'])\n"
    "}\n"
    "app.worker_main(['worker', *sys.argv[1:]])\n"
)


def wait_until(predicate, *, what: str, timeout: float = TIMEOUT, context=lambda: ""):
    """Poll ``predicate`` every 0.1 s until it returns something truthy; fail after
    ``timeout`` seconds, saying what was awaited (and ``context()``, e.g. worker logs)."""
    pause = threading.Event()
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}\n{context()}")
        pause.wait(POLL)


def _redis_url() -> str:
    parsed = urlparse(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    return f"redis://{parsed.hostname or '127.0.0.1'}:{parsed.port or 6379}/{REDIS_DB}"


def _database_url(settings_dict: dict) -> str:
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{credentials}{host}:{port}/{quote(settings_dict['NAME'], safe='')}"


@pytest.fixture
def broker():
    """Redis database 13, empty. Skips (a failure in CI) without PostgreSQL or Redis."""
    if connection.vendor != "postgresql":
        pytest.skip(
            "integration tests need PostgreSQL: a Celery worker process cannot see SQLite's in-memory test "
            "database (run with DATABASE_URL=postgres://..., as CI does)"
        )
    with empty_test_redis() as client:
        yield client


@contextlib.contextmanager
def empty_test_redis():
    """Redis database 13, flushed before and after. Skips without Redis."""
    url = _redis_url()
    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:
        pytest.skip(f"integration tests need Redis at {url}: {exc}")
    client.flushdb()
    try:
        yield client
    finally:
        client.flushdb()
        client.close()


def _reset_publisher(app) -> None:
    """Forget the broker connections made so far, so the next publish uses broker_url."""
    app._pool = None
    app.amqp._producer_pool = None
    kombu.pools.reset()


@contextlib.contextmanager
def publishing_to_test_redis():
    """This process publishes real task messages to Redis database 13 (eager mode off)."""
    previous = celery_app.conf.broker_url, celery_app.conf.task_always_eager
    celery_app.conf.broker_url = _redis_url()
    celery_app.conf.task_always_eager = False
    _reset_publisher(celery_app)
    try:
        yield celery_app
    finally:
        celery_app.conf.broker_url, celery_app.conf.task_always_eager = previous
        _reset_publisher(celery_app)


@pytest.fixture
def celery_publisher(_eager_celery, broker):
    with publishing_to_test_redis() as app:
        yield app


@pytest.fixture
def smtp():
    with smtp_server() as server:
        yield server


@dataclass
class Worker:
    name: str
    process: subprocess.Popen
    log_path: Path
    stopped: bool = False

    @property
    def pid(self) -> int:
        return self.process.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def children(self) -> list[int]:
        path = Path(f"/proc/{self.pid}/task/{self.pid}/children")
        return [int(pid) for pid in path.read_text().split()] if path.exists() else []

    def wait_ready(self) -> None:
        wait_until(
            lambda: " ready." in self.log() or self.process.poll() is not None,
            what=f"worker {self.name} to be ready",
            context=self.log,
        )
        assert self.process.poll() is None, f"worker {self.name} exited:\n{self.log()}"

    def kill(self) -> None:
        """SIGKILL: no shutdown, no acknowledgement, no clean-up."""
        os.kill(self.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.stopped = True

    def stop(self) -> None:
        children = self.children()
        if self.process.poll() is None:
            self.process.terminate()  # warm shutdown; the tests have drained the queue
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        for child in children:  # pool processes that outlived their parent
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGKILL)
        self.stopped = True


@dataclass
class Workers:
    env: dict
    tmp_path: Path
    started: list = field(default_factory=list)

    def start(self, *, pool: str = "solo", concurrency: int = 1, transport_options: dict | None = None) -> Worker:
        name = f"itest-{uuid.uuid4().hex[:8]}"
        arguments = [
            "--pool",
            pool,
            "--concurrency",
            str(concurrency),
            "-Q",
            "celery,mail",  # renders and e-mails (settings.CELERY_TASK_ROUTES)
            "-n",
            f"{name}@%h",
            "-l",
            "info",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
        env = dict(self.env)
        if transport_options:
            command = [sys.executable, "-c", WORKER_WITH_TRANSPORT_OPTIONS, *arguments]
            env["TEST_BROKER_TRANSPORT_OPTIONS"] = json.dumps(transport_options)
        else:
            command = [CELERY, "-A", "clusterportal", "worker", *arguments]
        log_path = self.tmp_path / f"{name}.log"
        with log_path.open("w") as log:
            process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        worker = Worker(name, process, log_path)
        self.started.append(worker)
        worker.wait_ready()
        return worker

    def logs(self) -> str:
        return "\n".join(f"--- {w.name} (pid {w.pid}) ---\n{w.log()[-6000:]}" for w in self.started)

    def stop_all(self) -> None:
        for worker in self.started:
            worker.stop()


def worker_env(*, tmp_path: Path, smtp_port: int) -> dict:
    """The environment of a worker process: this test run's database, Redis database 13,
    the test's SMTP server, and a VAR_DIR (private files: $VAR_DIR/private) of its own."""
    excluded = {"REDIS_URL", "DATABASE_URL", "EMAIL_URL", "CELERY_BROKER_DIR", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"}
    env = {k: v for k, v in os.environ.items() if k not in excluded and not k.startswith("CELERY_TASK_")}
    env.update(
        DATABASE_URL=_database_url(connection.settings_dict),  # pytest-django's test database
        REDIS_URL=_redis_url(),
        EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}",
        OUTBOX_RETRY_BASE_SECONDS="1",
        CONN_MAX_AGE="0",
        VAR_DIR=str(tmp_path / "var"),
        PYTHONUNBUFFERED="1",
    )
    return env


@pytest.fixture
def workers(transactional_db, broker, smtp, celery_publisher, tmp_path):
    """Start real workers with ``workers.start()``; all are stopped at the end of the test."""
    started = Workers(env=worker_env(tmp_path=tmp_path, smtp_port=smtp.port), tmp_path=tmp_path)
    try:
        yield started
    finally:
        smtp.release()  # a held SMTP conversation must not keep a worker from stopping
        started.stop_all()


@pytest.fixture
def drained(broker, workers):
    """drained() waits until no task message is waiting or being processed (with late
    acknowledgement a message stays "unacked" until its task has finished)."""

    def queued_messages() -> int:
        lists = [key for key in broker.scan_iter(match="celery*") if broker.type(key) == b"list"]
        return sum(broker.llen(key) for key in lists) + broker.hlen("unacked")

    def wait():
        # Twice in a row empty, so that a task that was just publishing is not missed.
        seen_empty = [0]

        def empty_twice():
            seen_empty[0] = seen_empty[0] + 1 if queued_messages() == 0 else 0
            return seen_empty[0] >= 2

        wait_until(empty_twice, what="the task queue to drain", context=workers.logs)

    return wait
