"""Receipts through the real pipeline: 50 pre-registrations are submitted; each queues
receipt_render on commit; a real Celery worker (its own process, solo pool) renders,
stores and e-mails them. Reported next to a bare ``weasyprint.HTML(string=...).write_pdf()``
of the same 50 HTML documents in this process, and the worker's memory after the 50."""

import os
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from weasyprint import HTML

from bench import env
from clusterportal.celery import app
from intake.kernel.enums import OutboxStatus
from intake.messaging.receipts import receipt_html
from intake.models import OutboxMessage, Receipt, Submission
from intake.services.submissions import preregistration_submit
from tests.factories import CallFactory, OrganisationFactory, PreRegistrationFactory, UserFactory

COUNT = env.size(50, 3)
CELERY = str(Path(sys.executable).with_name("celery"))


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _start_worker() -> subprocess.Popen:
    log = open(env.VAR / "worker.log", "w")  # noqa: SIM115 — lives as long as the worker
    return subprocess.Popen(
        [
            *(CELERY, "-A", "clusterportal", "worker", "--pool", "solo", "-Q", "celery,mail"),
            *("-l", "warning", "--without-gossip", "--without-mingle"),
        ],
        cwd=env.ROOT,
        env={**os.environ},
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def run() -> str:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # user setup only
    user = UserFactory()
    call = CallFactory()
    preregistrations = [
        PreRegistrationFactory(call=call, organisation=OrganisationFactory(owner=user), complete=True) for _ in range(COUNT)
    ]

    # Queue all 50 first (the worker is not running yet), then let one worker drain the
    # queue: the figure is the worker's pipeline per receipt, without its start-up time
    # or the producer's pace.
    # Tasks left in the broker by an earlier benchmark of this run are not ours to time.
    app.control.purge()
    for preregistration in preregistrations:
        preregistration_submit(preregistration_id=preregistration.pk, actor=user)
    ours = {"template": "submission_confirmation", "to": user.email}
    worker = _start_worker()
    try:
        deadline = time.monotonic() + 600
        # Done when every receipt is rendered and its e-mail has left the outbox.
        while OutboxMessage.objects.filter(**ours, status=OutboxStatus.SENT).count() < COUNT:
            if time.monotonic() > deadline or worker.poll() is not None:
                raise RuntimeError(f"receipts not done; see {env.VAR / 'worker.log'}")
            time.sleep(0.05)
        rss_after = _rss_mib(worker.pid)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    # Steady state: from the first receipt rendered (the worker warmed up: fontconfig,
    # templates) to the last e-mail sent, for the other 49 receipts and their e-mails. The
    # first receipt's warm-up is reported apart.
    last_sent = OutboxMessage.objects.filter(**ours).order_by("-sent_at").values_list("sent_at", flat=True).first()
    created, rendered = Receipt.objects.order_by("rendered_at").values_list("created_at", "rendered_at").first()
    pipeline = (last_sent - rendered).total_seconds() / (COUNT - 1)
    first = (rendered - created).total_seconds()

    documents = [receipt_html(s) for s in Submission.objects.select_related("call", "organisation", "submitted_by")]
    started = time.perf_counter()
    for html in documents:
        HTML(string=html).write_pdf()
    bare = (time.perf_counter() - started) / len(documents)

    return env.report(
        f"receipts — {COUNT} pre-registration receipts through a real worker "
        f"({settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}, broker {settings.CELERY_BROKER_URL.split('://')[0]})",
        [
            ("worker pipeline per receipt (task → PDF/A stored → e-mail sent)", f"{pipeline * 1000:.1f} ms"),
            ("bare HTML(string=...).write_pdf() per receipt", f"{bare * 1000:.1f} ms"),
            ("pipeline / bare", f"{pipeline / bare:.2f}"),
            ("first receipt after worker start (warm-up)", f"{first * 1000:.0f} ms"),
            (f"worker RSS after the {COUNT}", f"{rss_after:.0f} MiB"),
        ],
    )
