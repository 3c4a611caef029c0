"""Helpers for tests that need real concurrent transactions (PostgreSQL only)."""

import threading

import pytest
from django.db import connection, connections

requires_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL (row locks that serialise concurrent transactions, or COPY); "
    "run with DATABASE_URL=postgres://... (CI does)",
)


def run_together(*calls):
    """Run each callable in its own thread, started together; return results or exceptions."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(index, func):
        try:
            barrier.wait(timeout=10)
            results[index] = func()
        except Exception as exc:  # the test inspects the type
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, f)) for i, f in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return results
