"""E-mails wait in their own queue (settings.CELERY_TASK_ROUTES): a slow mail relay never
holds a slot a receipt render is waiting for. The deployment (docker-compose.yml) consumes
each queue with its own service; every worker the project starts itself takes both."""

import re
from pathlib import Path

import yaml

from clusterportal.celery import app

ROOT = Path(__file__).resolve().parents[2]


def _queue_of(task_name: str) -> str:
    route = app.amqp.router.route({}, task_name)
    return route["queue"].name


def test_mail_goes_to_its_own_queue_and_receipts_to_the_default():
    assert _queue_of("intake.outbox_send") == "mail"
    assert _queue_of("intake.receipt_render") == "celery"


def _queues(command: list[str]) -> set[str]:
    return set(command[command.index("-Q") + 1].split(","))


def test_compose_renders_and_sends_in_separate_services():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]

    assert _queues(services["worker"]["command"]) == {"celery"}
    assert _queues(services["mailer"]["command"]) == {"mail"}


def test_the_workers_the_project_starts_itself_take_both_queues():
    """make run's one worker, the reminders benchmark's and the tests' consume renders and
    e-mails alike (the receipts benchmark runs a render worker and a mailer, as compose does)."""
    for path in ("scripts/run_portal.py", "bench/reminders.py", "tests/integration/conftest.py"):
        text = (ROOT / path).read_text()
        assert re.search(r"\"-Q\",\s*\"celery,mail\"", text), path
