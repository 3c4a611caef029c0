"""A real Celery worker, in its own process, executes a real task: once through the
embedded disk broker, once through Redis."""

import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlparse

import pytest
from celery import Celery

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))

pytestmark = pytest.mark.integration


def _redis_url() -> str | None:
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
    parsed = urlparse(url)
    try:
        socket.create_connection((parsed.hostname, parsed.port or 6379), timeout=1).close()
    except OSError:
        return None
    return url


def _start_worker(env: dict, queue: str, log_path: Path) -> subprocess.Popen:
    base = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CELERY_BROKER_DIR"}}
    return subprocess.Popen(
        [
            CELERY,
            "-A",
            "clusterportal",
            "worker",
            "--pool",
            "solo",
            "-Q",
            queue,
            "-l",
            "info",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env={**base, **env},
        stdout=log_path.open("w"),
        stderr=subprocess.STDOUT,
    )


def _round_trip(client_app: Celery, worker: subprocess.Popen, queue: str, log_path: Path) -> dict:
    token = uuid.uuid4().hex
    try:
        result = client_app.send_task("clusterportal.worker_heartbeat", kwargs={"token": token}, queue=queue)
        payload = result.get(timeout=90, disable_sync_subtasks=False)
    except Exception:
        print(log_path.read_text())
        raise
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert payload["token"] == token
    assert payload["database"] is True
    return payload


def test_worker_runs_a_task_through_the_embedded_disk_broker(tmp_path):
    broker_dir = tmp_path / "broker"
    for sub in ("queue", "processed", "results", "control"):
        (broker_dir / sub).mkdir(parents=True)
    queue = f"probe-{uuid.uuid4().hex[:8]}"
    log_path = tmp_path / "worker.log"
    worker = _start_worker({"CELERY_BROKER_DIR": str(broker_dir), "VAR_DIR": str(tmp_path)}, queue, log_path)
    client_app = Celery(
        "probe",
        broker="filesystem://",
        backend=f"file://{broker_dir / 'results'}",
        broker_transport_options={
            "data_folder_in": str(broker_dir / "queue"),
            "data_folder_out": str(broker_dir / "queue"),
            "processed_folder": str(broker_dir / "processed"),
            "control_folder": str(broker_dir / "control"),
        },
    )
    _round_trip(client_app, worker, queue, log_path)


def test_worker_runs_a_task_through_redis(tmp_path):
    url = _redis_url()
    if url is None:
        pytest.skip("no Redis reachable (set REDIS_URL); CI always has one")
    queue = f"probe-{uuid.uuid4().hex[:8]}"
    log_path = tmp_path / "worker.log"
    worker = _start_worker({"REDIS_URL": url, "VAR_DIR": str(tmp_path)}, queue, log_path)
    client_app = Celery("probe", broker=url, backend=url)
    _round_trip(client_app, worker, queue, log_path)
