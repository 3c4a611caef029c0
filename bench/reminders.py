"""10,000 due reminders: one sweep decides, records and queues them; one real Celery
worker sends them to a local SMTP sink. Reported next to plain smtplib sending the same
10,000 messages over one connection to the same sink in the same run, with the SQL
queries per reminder (sweep and sending), which must not grow with the number."""

import os
import smtplib
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench import env
from bench.smtp_sink import start_sink
from clusterportal.celery import app
from intake import deadlines
from intake.kernel.enums import LegalForm, Role
from intake.messaging.outbox import _email, outbox_send_batch
from intake.messaging.reminders import reminders_sweep
from intake.models import Call, Membership, Organisation, OutboxMessage, PreRegistration

COUNT = env.size(int(os.environ.get("BENCH_REMINDERS", "10000")), 20)
CELERY = str(Path(sys.executable).with_name("celery"))


def _enterprise_number(n: int) -> str:
    base = f"0{3000000 + n:07d}"
    return f"{base}{97 - int(base) % 97:02d}"


def _population(call) -> None:
    """COUNT organisations with a draft pre-registration, one member each (bulk inserts)."""
    User = get_user_model()
    users = User.objects.bulk_create(
        [User(username=f"r{n}@bench.example", email=f"r{n}@bench.example", password="!") for n in range(COUNT)],
        batch_size=1000,
    )
    organisations = Organisation.objects.bulk_create(
        [
            Organisation(
                name=f"Bench {n} vzw",
                enterprise_number=_enterprise_number(n),
                legal_form=LegalForm.VZW,
                has_legal_personality=True,
                street="Straat 1",
                postal_code="9000",
                municipality="Gent",
                contact_name="X",
                contact_email=f"r{n}@bench.example",
            )
            for n in range(COUNT)
        ],
        batch_size=1000,
    )
    Membership.objects.bulk_create(
        [Membership(organisation=o, user=u, role=Role.OWNER) for o, u in zip(organisations, users, strict=True)], batch_size=1000
    )
    PreRegistration.objects.bulk_create([PreRegistration(call=call, organisation=o) for o in organisations], batch_size=1000)


def run() -> str:
    now = deadlines.clock()
    call = Call.objects.create(
        slug="bench-reminders",
        title="Bench",
        reference_prefix="BENCH",
        opens_at=now - timedelta(days=30),
        # The "1 day" reminder is due a minute ago; the only offset of this call.
        preregistration_deadline=now + timedelta(days=1, minutes=-1),
        dossier_deadline=now + timedelta(days=90),
        reminder_offsets="1d",
        is_published=True,
    )
    _population(call)
    app.control.purge()  # tasks left by an earlier benchmark of this run are not ours
    controller, sink, port = start_sink()
    worker_log = open(env.VAR / "worker-reminders.log", "w")  # noqa: SIM115 — lives as long as the worker
    worker = subprocess.Popen(
        [
            *(CELERY, "-A", "clusterportal", "worker", "--pool", "solo", "-Q", "celery,mail"),
            *("-l", "warning", "--without-gossip", "--without-mingle"),
        ],
        cwd=env.ROOT,
        env={**os.environ, "EMAIL_URL": f"smtp://127.0.0.1:{port}"},
        stdout=worker_log,
        stderr=subprocess.STDOUT,
    )
    try:
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as sweep_queries:
            result = reminders_sweep(now=now)
        swept = time.perf_counter() - started
        sweep_query_count = len(sweep_queries)
        if not sink.wait_for(COUNT, timeout=1800):
            raise RuntimeError(f"only {sink.count} of {COUNT} arrived; see {env.VAR / 'worker-reminders.log'}")
        pipeline = time.perf_counter() - started
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert len(result.queued) == COUNT, len(result.queued)
    assert sink.count == COUNT, sink.count

    # Sending, in-process, for its queries: one batch of 100 re-queued messages.
    settings.MAILERS = {
        "default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": {"host": "127.0.0.1", "port": port}}
    }
    batch = list(OutboxMessage.objects.order_by("pk").values_list("pk", flat=True)[:100])
    OutboxMessage.objects.filter(pk__in=batch).update(status="queued")
    with CaptureQueriesContext(connection) as send_queries:
        outbox_send_batch(ids=batch)
    send_per_message = len(send_queries) / len(batch)

    # The reference: the same stored messages, each turned into MIME and sent through
    # plain smtplib over one connection (rendering the templates is not counted here;
    # the sweep's share of the portal's time includes it).
    rows = list(OutboxMessage.objects.order_by("pk")[:COUNT])
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for row in rows:
            smtp.send_message(_email(row).message())
    plain = time.perf_counter() - started
    controller.stop()

    return env.report(
        f"reminders — {COUNT} due reminders, one sweep, one worker, local SMTP sink ({connection.vendor})",
        [
            ("sweep (decide, record, render, queue)", f"{swept:.1f} s"),
            ("sweep → last message at the SMTP server", f"{pipeline:.1f} s = {COUNT / pipeline:.0f} reminders/s"),
            ("of which sending by the worker", f"{pipeline - swept:.1f} s = {COUNT / (pipeline - swept):.0f} messages/s"),
            ("plain smtplib, same messages, one connection", f"{plain:.1f} s = {COUNT / plain:.0f} messages/s"),
            ("portal / plain smtplib throughput", f"{(COUNT / pipeline) / (COUNT / plain):.2f}"),
            ("SQL queries in the sweep", f"{sweep_query_count} ({sweep_query_count / COUNT:.3f} per reminder)"),
            ("SQL queries per message when sending", f"{send_per_message:.2f}"),
        ],
    )
