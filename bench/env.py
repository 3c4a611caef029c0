"""A throw-away environment for benchmarks: its own VAR_DIR (SQLite file, disk broker,
private files, mail files) unless BENCH_DATABASE_URL / BENCH_REDIS_URL point elsewhere.
Must be imported before Django is set up."""

import json
import os
import secrets
import statistics
import tempfile
import time
from pathlib import Path

# None of these reads the settings when imported: the environment below is still in time.
import psycopg
from django.core.management import call_command
from django.db import connection
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent
VAR = Path(tempfile.mkdtemp(prefix="clusterportal-bench-"))

os.environ["VAR_DIR"] = str(VAR)
os.environ.pop("DJANGO_ENV", None)
if os.environ.get("BENCH_DATABASE_URL"):
    os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
else:
    os.environ.pop("DATABASE_URL", None)
if os.environ.get("BENCH_REDIS_URL"):
    os.environ["REDIS_URL"] = os.environ["BENCH_REDIS_URL"]
else:
    os.environ.pop("REDIS_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clusterportal.settings")
# One secret for this process and the servers it starts (bench.deadline), so that the
# sessions it signs in are valid there.
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(60))
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")

import logging  # noqa: E402

import django  # noqa: E402

django.setup()
# WeasyPrint reports every rendering step at INFO: noise between the benchmark tables.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def migrate() -> None:
    _create_postgres_database()
    call_command("migrate", verbosity=0)


def _create_postgres_database() -> None:
    """Start from an empty database on every run: drop and create BENCH_DATABASE_URL's."""
    if connection.vendor != "postgresql":
        return
    params = connection.get_connection_params()
    name = params.pop("dbname")
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**{**params, "dbname": "postgres"}, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


# `python -m bench --smoke` (make bench-smoke, part of make test): every benchmark runs
# with tiny sizes, in seconds, so that none can rot unnoticed. Its figures mean nothing.
SMOKE = False


def size(full: int, smoke: int) -> int:
    return smoke if SMOKE else full


def median_seconds(fn, *, repeat: int, warmup: int = 2, setup=None) -> float:
    """Median wall time of ``fn`` over ``repeat`` runs; ``setup`` runs untimed before each."""
    repeat, warmup = size(repeat, 1), size(warmup, 1)
    samples = []
    for n in range(warmup + repeat):
        if setup is not None:
            setup()
        start = time.perf_counter()
        fn()
        if n >= warmup:
            samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def bare_view_client():
    """A test client and the path of a bare Django view that goes through the project's
    whole middleware stack: the reference every request-level figure is divided by."""
    return Client(), "/__bench__/bare/"


def report(title: str, rows: list[tuple[str, str]]) -> str:
    width = max(len(label) for label, _ in rows)
    lines = [title, "-" * len(title)] + [f"{label:<{width}}  {value}" for label, value in rows]
    text = "\n".join(lines)
    print(text + "\n", flush=True)
    return text


class QueryCounter:
    """Counts SQL statements through an execute wrapper: unlike the query log, it is not
    reset when a test-client request starts."""

    def __init__(self, connection):
        self.connection = connection
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self):
        self._wrapper = self.connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        self._wrapper.__exit__(*exc)


RESULTS = ROOT / "bench" / "results"


def record(name: str, data) -> Path:
    """Write a benchmark's figures as JSON (bench/results/<name>.json, not committed)."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, default=str))
    return path
