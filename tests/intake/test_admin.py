"""intake's admin: a call manager configures a call without help (deadlines in Brussels
time, inconsistent input refused with a Dutch message), a changed deadline is told to the
people concerned, and failed e-mails and receipts are queued again deliberately."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from intake.kernel.enums import OutboxStatus, ReceiptStatus
from intake.kernel.formatting import BRUSSELS, format_brussels_long
from intake.kernel.roles import CALL_MANAGERS
from intake.messaging.outbox import INTERRUPTED
from intake.messaging.receipts import receipt_produce
from intake.models import Call, OutboxMessage, Receipt, Reminder
from tests.auth import sign_in
from tests.factories import PolicyPriorityFactory, UserFactory
from tests.intake.file_helpers import stored_files, use_storage
from tests.intake.outbox_helpers import queued, reminder_for, stored
from tests.intake.receipt_helpers import pdf_bytes_of, receipt_call, receipt_organisation
from tests.intake.reminder_helpers import MARCH_DEADLINE, by_recipient, html_of, local

# --- Calls -----------------------------------------------------------------------------------


@pytest.fixture
def manager_client(client, db):
    manager = UserFactory(is_staff=True)
    manager.groups.add(Group.objects.get(name=CALL_MANAGERS))
    sign_in(client, manager)  # staff need the second factor for the admin
    return client


def call_form(**overrides):
    data = {
        "title": "Vijfde oproep",
        "slug": "vijfde-oproep",
        "reference_prefix": "IBN5",
        "is_published": "on",
        "summary": "",
        "rules_text": "",
        "opens_at_0": "01-12-2026",
        "opens_at_1": "09:00",
        "preregistration_deadline_0": "23-01-2027",
        "preregistration_deadline_1": "12:00",
        "dossier_deadline_0": "11-05-2027",
        "dossier_deadline_1": "12:00",
        "min_mandating_enterprises": "30",
        "max_support_rate": "50",
        "max_subsidy_per_year": "225000",
        "max_duration_years": "3",
        "proposal_max_chars": "6000",
        "total_threshold_percent": "50",
        "reminder_offsets": "14d, 7d, 2d, 1d, 3h",
        "contact_phone": "0800 20 555",
        "contact_email": "clusters@vlaio.be",
        "contact_url": "",
        "criteria-TOTAL_FORMS": "1",
        "criteria-INITIAL_FORMS": "0",
        "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "1000",
        "criteria-0-position": "1",
        "criteria-0-name": "Clusterpotentieel",
        "criteria-0-description": "",
        "criteria-0-weight": "1",
        "criteria-0-max_score": "10",
        "criteria-0-threshold_percent": "50",
    }
    data.update(overrides)
    return data


def test_call_admin_names_every_control_of_a_criteria_row(manager_client):
    """A tabular row's labels are only column headers: each control gets its own name."""
    PolicyPriorityFactory(name="Klimaat en energie")
    page = manager_client.get("/admin/intake/call/add/").content.decode()
    response = manager_client.post("/admin/intake/call/add/", call_form(title="", **{"criteria-0-weight": "nul"}))
    row = response.content.decode()

    for column in ("Volgorde", "Naam", "Beschrijving", "Gewicht", "Maximumscore", "Drempel (%)"):
        assert f'aria-label="{column}, rij 1"' in row, column  # a row sent back with its errors
    assert 'aria-label="Naam, rij nieuw"' in page  # the empty row the admin's script copies
    # The priorities are checkboxes with their names as labels, not the two-list widget.
    assert "Klimaat en energie</label>" in page
    assert "SelectFilter2.js" not in page


def test_call_admin_creates_a_call_with_deadlines_in_brussels_time(manager_client):
    priority = PolicyPriorityFactory()
    response = manager_client.post("/admin/intake/call/add/", call_form(policy_priorities=[priority.pk]))
    assert response.status_code == 302, response.content.decode()[:3000]
    call = Call.objects.get(slug="vijfde-oproep")
    # 12:00 in Brussels is 11:00 UTC in winter (CET) and 10:00 UTC in summer (CEST).
    assert call.preregistration_deadline == datetime(2027, 1, 23, 11, 0, tzinfo=UTC)
    assert call.dossier_deadline == datetime(2027, 5, 11, 10, 0, tzinfo=UTC)
    assert call.criteria.get().name == "Clusterpotentieel"
    assert list(call.policy_priorities.all()) == [priority]


@pytest.mark.parametrize(
    ("overrides", "field", "dutch"),
    [
        ({"preregistration_deadline_0": "01-11-2026"}, "preregistration_deadline", "na het openingsmoment"),
        ({"dossier_deadline_0": "01-01-2027"}, "dossier_deadline", "na de deadline van de vooraanmelding"),
        ({"min_mandating_enterprises": "0"}, "min_mandating_enterprises", "minstens 1"),
        ({"max_support_rate": "0"}, "max_support_rate", "minstens 0.01"),
        ({"max_support_rate": "150"}, "max_support_rate", "hoogstens 100"),
        ({"max_subsidy_per_year": "-5"}, "max_subsidy_per_year", "minstens 0.01"),
        ({"max_duration_years": "0"}, "max_duration_years", "minstens 1"),
        ({"reminder_offsets": "14 dagen"}, "reminder_offsets", "geen herinneringstermijn"),
        ({"reference_prefix": "ibn-5"}, "reference_prefix", "hoofdletters"),
    ],
)
def test_call_admin_refuses_inconsistent_calls_with_a_dutch_message(manager_client, overrides, field, dutch):
    response = manager_client.post("/admin/intake/call/add/", call_form(**overrides))
    assert response.status_code == 200
    assert not Call.objects.exists()
    errors = response.context["adminform"].form.errors
    assert field in errors, errors
    assert dutch in " ".join(errors[field]), errors[field]


def test_call_admin_accepts_amounts_as_typed_in_belgium(manager_client):
    response = manager_client.post(
        "/admin/intake/call/add/",
        call_form(max_subsidy_per_year="€ 225.000,00", max_support_rate="50", total_threshold_percent="50,5"),
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    call = Call.objects.get(slug="vijfde-oproep")
    assert (call.max_subsidy_per_year, call.max_support_rate, call.total_threshold_percent) == (225000, 50, Decimal("50.5"))


def test_call_admin_shows_amounts_and_percentages_the_belgian_way(manager_client):
    manager_client.post("/admin/intake/call/add/", call_form())
    call = Call.objects.get(slug="vijfde-oproep")

    listing = manager_client.get("/admin/intake/call/").content.decode()
    change = manager_client.get(f"/admin/intake/call/{call.pk}/change/").content.decode()

    assert "€ 225.000,00" in listing and "50 %" in listing
    assert 'name="max_subsidy_per_year" value="225.000,00"' in change
    assert 'name="max_support_rate" value="50"' in change
    assert 'name="criteria-0-threshold_percent" value="50"' in change
    assert "225000,00" not in change and "50,00" not in change


def test_call_admin_is_closed_to_applicants(client, db):
    client.force_login(UserFactory())
    response = client.get("/admin/intake/call/add/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


# --- A changed call deadline is told to the people concerned ---------------------------------


def call_change_form(call, **overrides) -> dict:
    """What the admin's change form of ``call`` posts, with its current values."""

    def split(name, value):
        value = value.astimezone(BRUSSELS)
        return {f"{name}_0": value.strftime("%d-%m-%Y"), f"{name}_1": value.strftime("%H:%M")}

    data = {
        "title": call.title,
        "slug": call.slug,
        "reference_prefix": call.reference_prefix,
        "summary": call.summary,
        "rules_text": call.rules_text,
        **split("opens_at", call.opens_at),
        **split("preregistration_deadline", call.preregistration_deadline),
        **split("dossier_deadline", call.dossier_deadline),
        "min_mandating_enterprises": str(call.min_mandating_enterprises),
        "max_support_rate": str(call.max_support_rate),
        "max_subsidy_per_year": str(call.max_subsidy_per_year),
        "max_duration_years": str(call.max_duration_years),
        "proposal_max_chars": str(call.proposal_max_chars),
        "total_threshold_percent": str(call.total_threshold_percent),
        "policy_priorities": [str(p.pk) for p in call.policy_priorities.all()],
        "reminder_offsets": call.reminder_offsets,
        "contact_phone": call.contact_phone,
        "contact_email": call.contact_email,
        "contact_url": call.contact_url,
        "criteria-TOTAL_FORMS": "0",
        "criteria-INITIAL_FORMS": "0",
        "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "1000",
    }
    if call.is_published:
        data["is_published"] = "on"
    data.update(overrides)
    return data


@pytest.fixture
def superuser_client(client, db):
    sign_in(client, UserFactory(is_staff=True, is_superuser=True))
    return client


def admin_change_deadline(client, call, new_deadline, capture):
    with capture(execute=True):
        response = client.post(
            f"/admin/intake/call/{call.pk}/change/",
            call_change_form(
                call,
                preregistration_deadline_0=new_deadline.strftime("%d-%m-%Y"),
                preregistration_deadline_1=new_deadline.strftime("%H:%M"),
            ),
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    call.refresh_from_db()
    assert call.preregistration_deadline == new_deadline
    return response


@pytest.mark.django_db
def test_call_admin_deadline_change_tells_the_people_concerned_once(
    superuser_client, cast, mailoutbox, django_capture_on_commit_callbacks
):
    call = cast.call
    new_deadline = local(2026, 4, 6, 12)

    admin_change_deadline(superuser_client, call, new_deadline, django_capture_on_commit_callbacks)

    # Members of organisations with a draft or submitted pre-registration, and the active
    # followers; not erin (withdrawn), gina (stopped following) or hank (nothing started).
    told = by_recipient(mailoutbox)
    assert sorted(told) == [
        "alice@example.org",
        "bob@example.org",
        "carol@example.org",
        "dave@example.org",
        "frank@example.org",
        "ivy@example.org",
    ]
    with translation.override("nl"):
        for mail in told.values():
            assert format_brussels_long(MARCH_DEADLINE) in mail.body
            assert format_brussels_long(new_deadline) in mail.body
    assert OutboxMessage.objects.filter(template="deadline_changed", status=OutboxStatus.SENT).count() == 6

    # Saving the form again (a double click), or with only another field changed, tells nobody again.
    mailoutbox.clear()
    admin_change_deadline(superuser_client, call, new_deadline, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        response = superuser_client.post(f"/admin/intake/call/{call.pk}/change/", call_change_form(call, title="Nieuwe titel"))
    assert response.status_code == 302
    assert mailoutbox == []
    assert OutboxMessage.objects.filter(template="deadline_changed").count() == 6


@pytest.mark.django_db
def test_every_call_deadline_change_is_told_also_back_to_an_earlier_value(
    superuser_client, cast, mailoutbox, django_capture_on_commit_callbacks
):
    """30 March → 6 April → 30 March → 6 April → 30 March. Each save is a real change, and
    after the last one the people concerned must know it is 30 March again: otherwise they
    still believe the last e-mail they got (6 April) and miss the deadline."""
    later = local(2026, 4, 6, 12)
    told = []
    for new_deadline in (later, MARCH_DEADLINE, later, MARCH_DEADLINE):
        mailoutbox.clear()
        admin_change_deadline(superuser_client, cast.call, new_deadline, django_capture_on_commit_callbacks)
        with translation.override("nl"):
            told.append(sum(format_brussels_long(new_deadline) in m.body for m in mailoutbox))

    assert told == [6, 6, 6, 6]


@pytest.mark.django_db
def test_deadline_changed_email_in_dutch_has_no_english_sentence_left(
    superuser_client, cast, mailoutbox, django_capture_on_commit_callbacks
):
    admin_change_deadline(superuser_client, cast.call, local(2026, 4, 6, 12), django_capture_on_commit_callbacks)

    mail = by_recipient(mailoutbox)["alice@example.org"]
    text = mail.subject + mail.body + html_of(mail)
    left = [f for f in ("Deadline changed", "has changed", "Previous deadline", "New deadline", "Brussels time") if f in text]

    assert left == [], "untranslated (missing from locale/nl/LC_MESSAGES/django.po): " + ", ".join(left)


# --- Re-send failed e-mails deliberately -----------------------------------------------------


@pytest.mark.django_db
def test_admin_resend_action_requeues_failed_messages_only(call, client, mailoutbox, django_capture_on_commit_callbacks):
    sign_in(client, UserFactory(is_staff=True, is_superuser=True))
    user = UserFactory()
    failed = queued(call, to="failed@example.org", status=OutboxStatus.FAILED, attempts=1, last_error=INTERRUPTED)
    reminder = reminder_for(call, failed, user)
    sent = queued(call, to="sent@example.org", status=OutboxStatus.SENT, attempts=1)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            "/admin/intake/outboxmessage/",
            {"action": "resend", "_selected_action": [str(failed.pk), str(sent.pk)], "select_across": "0"},
            follow=True,
        )

    assert response.status_code == 200
    with translation.override("nl"):
        assert [str(m) for m in response.context["messages"]] == [gettext("%(n)d e-mail(s) queued again.") % {"n": 1}]
    assert stored(failed).status == OutboxStatus.QUEUED
    assert Reminder.objects.filter(pk=reminder.pk, outbox__status=OutboxStatus.QUEUED).exists()
    assert len(callbacks) == 1

    for callback in callbacks:  # the commit: the send task runs (eagerly)
        callback()

    assert [m.to for m in mailoutbox] == [["failed@example.org"]]
    failed = stored(failed)
    assert (failed.status, failed.attempts, failed.last_error) == (OutboxStatus.SENT, 2, "")
    assert Reminder.objects.filter(pk=reminder.pk, outbox__status=OutboxStatus.SENT).exists()
    assert stored(sent).attempts == 1  # a sent message is never re-sent


# --- Receipts: failures and the requeue ------------------------------------------------------


@receipt_call
@receipt_organisation
def test_receipt_render_failure_is_recorded_and_admin_requeue_renders_it(
    submit, call, organisation, user, settings, tmp_path, client, mailoutbox, django_capture_on_commit_callbacks
):
    # A storage location under a regular file cannot be created, not even by root.
    blocker = tmp_path / "not-a-directory"
    blocker.write_bytes(b"")
    use_storage(settings, blocker / "private")
    submission = submit(call, organisation, user, run_tasks=False)

    with pytest.raises(OSError):
        receipt_produce(submission_id=submission.pk)
    with pytest.raises(OSError):
        receipt_produce(submission_id=submission.pk)

    receipt = Receipt.objects.get()
    assert receipt.status == ReceiptStatus.FAILED
    assert receipt.attempts == 2
    assert "Error" in receipt.last_error
    assert not receipt.pdf
    assert receipt.rendered_at is None
    assert mailoutbox == []

    good = tmp_path / "fixed"
    good.mkdir()
    use_storage(settings, good)
    sign_in(client, UserFactory(is_staff=True, is_superuser=True))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            reverse("admin:intake_receipt_changelist"), {"action": "requeue", "_selected_action": [receipt.pk]}
        )

    assert response.status_code == 302
    assert len(callbacks) == 2  # the receipt task, then its e-mail from the outbox
    receipt.refresh_from_db()
    assert receipt.status == ReceiptStatus.RENDERED
    assert receipt.attempts == 3
    assert receipt.last_error == ""
    assert receipt.emailed_at is not None
    assert stored_files(good) == [good / "receipts" / f"{submission.reference}.pdf"]
    assert pdf_bytes_of(receipt).startswith(b"%PDF")
    assert len(mailoutbox) == 1


@receipt_call
@receipt_organisation
def test_receipt_admin_requeue_leaves_a_rendered_receipt_alone(receipt, client, mailoutbox, django_capture_on_commit_callbacks):
    sign_in(client, UserFactory(is_staff=True, is_superuser=True))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            reverse("admin:intake_receipt_changelist"), {"action": "requeue", "_selected_action": [receipt.pk]}
        )

    assert response.status_code == 302
    assert callbacks == []
    after = Receipt.objects.get(pk=receipt.pk)
    assert (after.status, after.attempts, after.rendered_at) == (ReceiptStatus.RENDERED, 1, receipt.rendered_at)
    assert len(mailoutbox) == 1
