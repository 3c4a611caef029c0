"""Receipts through the real pipeline, deployed as compose deploys it: a burst of
submissions queues receipt_render on commit; one render worker (its own process, solo pool,
queue "celery") renders and stores them, a mailer (queue "mail", threads) sends the
e-mails. Reported next to a bare ``weasyprint.HTML(string=...).write_pdf()`` of the same
HTML documents in this process (one process, as the render worker), next to the project's
own receipt_pdf() (PDF/A, tags and the attached snapshot), the time the burst's backlog
took to drain, and the render worker's memory, sampled while it works."""

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
from intake.messaging.receipts import receipt_html, receipt_pdf
from intake.models import OutboxMessage, Receipt, Submission
from intake.services.submissions import preregistration_submit
from tests.factories import CallFactory, OrganisationFactory, PreRegistrationFactory, UserFactory

COUNT = env.size(int(os.environ.get("BENCH_RECEIPTS", "400")), 3)  # a deadline burst
CELERY = str(Path(sys.executable).with_name("celery"))


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _start_worker(name: str, *options: str) -> subprocess.Popen:
    log = open(env.VAR / f"{name}.log", "w")  # noqa: SIM115 — lives as long as the worker
    return subprocess.Popen(
        [CELERY, "-A", "clusterportal", "worker", "-n", f"{name}@%h", *options, "-l", "warning", "--without-gossip"],
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

    # Queue the whole burst first (no worker is running yet), then let the workers drain
    # it: the figures are the workers' pace, without their start-up or the producer's.
    # Tasks left in the broker by an earlier benchmark of this run are not ours to time.
    app.control.purge()
    for preregistration in preregistrations:
        preregistration_submit(preregistration_id=preregistration.pk, actor=user)
    ours = {"template": "submission_confirmation", "to": user.email}
    renderer = _start_worker("bench-render", "--pool", "solo", "-Q", "celery")
    mailer = _start_worker("bench-mail", "--pool", "threads", "--concurrency", "4", "-Q", "mail")
    peak_rss = 0.0
    try:
        deadline = time.monotonic() + 1800
        # Done when every receipt is rendered and its e-mail has left the outbox.
        while OutboxMessage.objects.filter(**ours, status=OutboxStatus.SENT).count() < COUNT:
            if time.monotonic() > deadline or renderer.poll() is not None or mailer.poll() is not None:
                raise RuntimeError(f"receipts not done; see {env.VAR / 'bench-render.log'}")
            peak_rss = max(peak_rss, _rss_mib(renderer.pid))
            time.sleep(0.05)
    finally:
        for worker in (renderer, mailer):
            worker.terminate()
        for worker in (renderer, mailer):
            worker.wait(timeout=30)
    # Steady state: from the first receipt rendered (the worker warmed up: fontconfig,
    # templates) to the last one, for the other receipts. The first one's warm-up, and the
    # whole backlog (first queued to last e-mail sent), are reported apart.
    last_sent = OutboxMessage.objects.filter(**ours).order_by("-sent_at").values_list("sent_at", flat=True).first()
    # This burst's receipts only: other benchmarks of the run leave receipts never rendered.
    receipts = Receipt.objects.filter(submission__call=call).order_by("rendered_at")
    created, first_rendered = receipts.values_list("created_at", "rendered_at").first()
    last_rendered = receipts.values_list("rendered_at", flat=True).last()
    render = (last_rendered - first_rendered).total_seconds() / (COUNT - 1)
    pipeline = (last_sent - first_rendered).total_seconds() / (COUNT - 1)
    first = (first_rendered - created).total_seconds()
    drained = (last_sent - created).total_seconds()

    submissions = list(Submission.objects.filter(call=call).select_related("call", "organisation", "submitted_by")[:50])
    documents = [receipt_html(s) for s in submissions]
    started = time.perf_counter()
    for html in documents:
        HTML(string=html).write_pdf()
    bare = (time.perf_counter() - started) / len(documents)
    started = time.perf_counter()
    for submission in submissions:
        receipt_pdf(submission)
    own = (time.perf_counter() - started) / len(submissions)

    return env.report(
        f"receipts — a burst of {COUNT} pre-registration receipts, one render worker and a mailer "
        f"({settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}, broker {settings.CELERY_BROKER_URL.split('://')[0]})",
        [
            ("render worker per receipt (task → PDF/A stored)", f"{render * 1000:.1f} ms"),
            ("bare HTML(string=...).write_pdf() per receipt", f"{bare * 1000:.1f} ms"),
            ("receipt throughput / bare write_pdf()", f"{bare / render:.2f}×"),
            ("receipt_pdf() in this process (PDF/A, tags, snapshot)", f"{own * 1000:.1f} ms"),
            ("receipt throughput / receipt_pdf()", f"{own / render:.2f}×"),
            ("end to end per receipt (with its e-mail sent)", f"{pipeline * 1000:.1f} ms"),
            (f"backlog of {COUNT}: first queued → last e-mail sent", f"{drained:.1f} s"),
            ("first receipt after worker start (warm-up)", f"{first * 1000:.0f} ms"),
            (f"render worker RSS, peak over the {COUNT}", f"{peak_rss:.0f} MiB"),
        ],
    )
