"""The pre-registration page (intake.web.views.preregistration): drafts with an optimistic
lock that keep what was typed, submission, the deadline at 12:00:00.000000 Brussels time,
withdrawal, access scoping, and what the page shows."""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from intake.kernel.enums import Phase, PreRegistrationState, ReceiptStatus
from intake.kernel.errors import PhaseNotOpenYet
from intake.kernel.formatting import format_brussels, format_brussels_long, format_duration
from intake.models import AuditEvent, Extension, PreRegistration, Receipt, Submission
from intake.services.submissions import preregistration_submit
from tests.factories import CallFactory, OrganisationFactory, PreRegistrationFactory, UserFactory
from tests.intake.preregistration_helpers import form_post, noon_call, prereg_url, save_draft, stored
from tests.intake.receipt_helpers import SUBMITTED, download_url, instant, moment, receipt_call, receipt_organisation

# --- Drafts ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_preregistration_page_starts_with_version_zero(logged_in_client, call, organisation):
    response = logged_in_client.get(prereg_url(call, organisation))

    assert response.status_code == 200
    assert response.context["form"]["version"].value() == 0
    assert response.context["editable"] is True
    assert not PreRegistration.objects.exists()


@pytest.mark.django_db
def test_preregistration_save_draft_view_creates_version_1_then_2(logged_in_client, call, organisation, user):
    first = logged_in_client.post(prereg_url(call), form_post(call, organisation, 0))

    assert first.status_code == 302
    assert first["Location"] == prereg_url(call, organisation)
    preregistration = PreRegistration.objects.get(call=call, organisation=organisation)
    assert preregistration.version == 1
    assert preregistration.state == PreRegistrationState.DRAFT
    assert preregistration.network_name == "Netwerk voor slimme warmte"
    assert preregistration.contact_phone == "+32 3 555 12 34"
    assert preregistration.policy_priority == call.policy_priorities.first()
    assert preregistration.updated_by == user
    assert logged_in_client.get(prereg_url(call, organisation)).context["form"]["version"].value() == 1

    second = logged_in_client.post(prereg_url(call), form_post(call, organisation, 1, network_name="Warmtenetwerk 2.0"))

    assert second.status_code == 302
    preregistration.refresh_from_db()
    assert preregistration.version == 2
    assert preregistration.network_name == "Warmtenetwerk 2.0"
    assert PreRegistration.objects.count() == 1


@pytest.mark.django_db
def test_preregistration_save_draft_view_stale_version_is_409_and_keeps_typed_values(logged_in_client, call, organisation, user):
    save_draft(call, organisation, user, version=0)
    save_draft(call, organisation, UserFactory(), version=1, network_name="Versie van de collega")
    before = stored(PreRegistration.objects.get())
    typed = form_post(
        call,
        organisation,
        1,
        network_name="Mijn eigen netwerknaam",
        acronym="MIJN",
        proposal="Mijn tekst die niet verloren mag gaan.",
        expected_member_count=55,
        committed_member_count=20,
        contact_email="ik@example.org",
    )

    response = logged_in_client.post(prereg_url(call), typed)

    assert response.status_code == 409
    assert stored(PreRegistration.objects.get()) == before
    form = response.context["form"]
    html = response.content.decode()
    for name in PreRegistration.CONTENT_FIELDS:
        assert str(form[name].value() or "") == typed[name], name
    assert 'value="Mijn eigen netwerknaam"' in html
    assert "Mijn tekst die niet verloren mag gaan." in html
    assert response.context["conflict"] is not None
    # The hidden version now points at the stored version: saving again is deliberate.
    assert str(form["version"].value()) == str(before["version"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"proposal": "x" * 2001}, "proposal", "too_long"),
        ({"expected_member_count": 10, "committed_member_count": 11}, "committed_member_count", "committed_gt_expected"),
        # A number the database cannot hold is a form error, not an error page.
        ({"expected_member_count": 3_000_000_000}, "expected_member_count", "max_value"),
    ],
    ids=["proposal-too-long", "committed-more-than-expected", "count-too-large"],
)
def test_preregistration_invalid_form_keeps_typed_values_and_saves_nothing(
    logged_in_client, call, organisation, user, overrides, field, code
):
    assert call.proposal_max_chars == 2000
    typed = form_post(call, organisation, 0, network_name="Ongeldig maar bewaard", **overrides)

    response = logged_in_client.post(prereg_url(call), typed)

    assert response.status_code == 400
    assert not PreRegistration.objects.exists()
    form = response.context["form"]
    assert form.has_error(field, code=code)
    for name in PreRegistration.CONTENT_FIELDS:
        assert str(form[name].value() or "") == typed[name], name
    html = response.content.decode()
    assert 'value="Ongeldig maar bewaard"' in html
    assert typed["proposal"] in html


@pytest.mark.django_db
def test_preregistration_invalid_form_leaves_an_existing_draft_unchanged(logged_in_client, call, organisation, user, draft):
    before = stored(draft)

    response = logged_in_client.post(prereg_url(call), form_post(call, organisation, 1, proposal="y" * 2001, acronym="NIEUW"))

    assert response.status_code == 400
    assert stored(draft) == before


# --- Submitting ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_preregistration_submit_view_shows_the_reference(
    logged_in_client, call, organisation, user, draft, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in_client.post(prereg_url(call, action="submit"), {"organisation": organisation.pk}, follow=True)

    submission = Submission.objects.get()
    assert response.redirect_chain[-1] == (prereg_url(call, organisation), 302)
    assert response.status_code == 200
    assert submission.reference == f"{call.reference_prefix}-VA-0001"
    assert any(submission.reference in str(m) for m in response.context["messages"])
    assert submission.reference in response.content.decode()
    assert stored(draft)["state"] == PreRegistrationState.SUBMITTED
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_preregistration_submit_view_without_draft_creates_nothing(logged_in_client, call, organisation):
    response = logged_in_client.post(prereg_url(call, action="submit"), {"organisation": organisation.pk})

    assert response.status_code == 302
    assert not PreRegistration.objects.exists()
    assert not Submission.objects.exists()


@pytest.mark.django_db
def test_preregistration_submit_view_at_noon_is_refused(client, at_brussels, organisation, user):
    call = noon_call(at_brussels, 2026, 1, 23)
    preregistration = PreRegistrationFactory(call=call, organisation=organisation, complete=True)
    before = stored(preregistration)
    client.force_login(user)

    with time_machine.travel(at_brussels(2026, 1, 23, 12), tick=False):
        response = client.post(prereg_url(call, action="submit"), {"organisation": organisation.pk})

    assert response.status_code == 302
    assert stored(preregistration) == before
    assert not Submission.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("date", [(2026, 1, 23), (2026, 5, 11)], ids=["january-cet", "may-cest"])
def test_preregistration_late_save_via_view_changes_nothing(client, at_brussels, organisation, user, date):
    call = noon_call(at_brussels, *date)
    client.force_login(user)
    with time_machine.travel(at_brussels(*date, 9), tick=False):
        assert client.post(prereg_url(call), form_post(call, organisation, 0)).status_code == 302
    preregistration = PreRegistration.objects.get()
    before = stored(preregistration)

    with time_machine.travel(at_brussels(*date, 12), tick=False):
        response = client.post(
            prereg_url(call),
            form_post(call, organisation, 1, network_name="Te laat", proposal="Te late tekst", acronym="LAAT"),
        )

    assert 400 <= response.status_code < 500 or response.status_code == 302
    assert stored(preregistration) == before
    assert before["version"] == 1
    if response.status_code != 302:
        assert response.context["editable"] is False


@pytest.mark.django_db
def test_preregistration_late_first_save_creates_nothing(client, at_brussels, organisation, user):
    call = noon_call(at_brussels, 2026, 1, 23)
    client.force_login(user)

    with time_machine.travel(at_brussels(2026, 1, 23, 12), tick=False):
        response = client.post(prereg_url(call), form_post(call, organisation, 0))

    assert 400 <= response.status_code < 500 or response.status_code == 302
    assert not PreRegistration.objects.exists()


@pytest.mark.django_db
def test_preregistration_before_opening_says_when_and_refuses_to_save(client, at_brussels, organisation, user):
    call = noon_call(at_brussels, 2026, 5, 11)
    client.force_login(user)

    with time_machine.travel(call.opens_at - timedelta(hours=1), tick=False):
        page = client.get(prereg_url(call, organisation))
        response = client.post(prereg_url(call), form_post(call, organisation, 0))
        with pytest.raises(PhaseNotOpenYet) as excinfo:
            save_draft(call, organisation, user)

    assert page.status_code == 200
    assert page.context["phase"].is_upcoming
    assert page.context["editable"] is False
    assert format_brussels(call.opens_at) in page.content.decode()
    assert 400 <= response.status_code < 500 or response.status_code == 302
    assert excinfo.value.opens_at == call.opens_at
    assert not PreRegistration.objects.exists()


@pytest.mark.django_db
def test_save_and_submit_submits_what_is_in_the_form(logged_in_client, call, organisation, user, mailoutbox):
    """The last edits are not lost by pressing submit: they are saved, then submitted."""
    typed = form_post(call, organisation, 0, planned_activities="Laatste wijziging voor de deadline")

    response = logged_in_client.post(prereg_url(call), {**typed, "and_submit": "1"})

    assert response.status_code == 302
    submission = Submission.objects.get()
    assert json.loads(submission.snapshot)["content"]["planned_activities"] == "Laatste wijziging voor de deadline"
    assert PreRegistration.objects.get().state == PreRegistrationState.SUBMITTED


# The deadline's busiest request: signed-in session and user, the call with its priorities,
# the organisation; then the locked row, its deadline, the call's number counter, the
# submission, the row's one UPDATE, its audit event and its receipt: 12 (it was 18); the
# question whether a KBO extract is loaded (issue 14: one query with the checks off, four
# more with them on): 13; the submitter's membership for the snapshot's "representation"
# (issue 15): 14; plus the savepoint pair the test's own transaction turns BEGIN/COMMIT into.
SAVE_AND_SUBMIT_QUERY_BUDGET = 14 + 2


@pytest.mark.django_db
def test_save_and_submit_runs_few_queries(logged_in_client, call, organisation, django_assert_max_num_queries):
    """Each query costs the rush about a millisecond of a worker: the POST reads the row
    once, under its lock, and writes it once."""
    logged_in_client.post(prereg_url(call), form_post(call, organisation, 0))  # the draft exists
    typed = form_post(call, organisation, 1, acronym="LAATST")

    with django_assert_max_num_queries(SAVE_AND_SUBMIT_QUERY_BUDGET):
        response = logged_in_client.post(prereg_url(call), {**typed, "and_submit": "1"})

    assert response.status_code == 302
    stored_row = PreRegistration.objects.get()
    assert (stored_row.state, stored_row.acronym, stored_row.version) == (PreRegistrationState.SUBMITTED, "LAATST", 2)
    assert json.loads(Submission.objects.get().snapshot)["content"]["acronym"] == "LAATST"


@pytest.mark.django_db
def test_save_and_submit_incomplete_changes_nothing_and_says_why(logged_in_client, call, organisation, user):
    """One request, one outcome: "save and submit" either does both or nothing (the typed
    text stays in the form, and the message says that nothing was saved)."""
    typed = form_post(call, organisation, 0, contact_email="")

    response = logged_in_client.post(prereg_url(call), {**typed, "and_submit": "1"})

    assert response.status_code == 400
    assert not PreRegistration.objects.exists()
    assert not Submission.objects.exists()
    assert response.context["form"]["network_name"].value() == typed["network_name"]
    # The error summary opens the page, says so, and links to the field that is missing.
    html = response.content.decode()
    summary = html[html.index('id="error-summary"') :]
    assert "Er werd niets bewaard of ingediend" in summary[:300]
    assert '<a href="#id_contact_email">' in summary
    assert form_field(html, "contact_email").count('aria-invalid="true"') == 1
    assert 'aria-describedby="id_contact_email_error"' in form_field(html, "contact_email")


def form_field(html: str, name: str) -> str:
    """The <input>/<select>/<textarea> tag of ``name`` in ``html``."""
    start = html.index(f'name="{name}"')
    return html[html.rindex("<", 0, start) : html.index(">", start) + 1]


# --- Withdraw and reopen ---------------------------------------------------------------------


@pytest.mark.django_db
def test_preregistration_withdraw_and_reopen_views(logged_in_client, call, organisation, user, draft):
    preregistration_submit(preregistration_id=draft.pk, actor=user)

    withdrawn = logged_in_client.post(prereg_url(call, action="withdraw"), {"organisation": organisation.pk})
    assert withdrawn.status_code == 302
    assert stored(draft)["state"] == PreRegistrationState.WITHDRAWN

    reopened = logged_in_client.post(prereg_url(call, action="reopen"), {"organisation": organisation.pk})
    assert reopened.status_code == 302
    assert stored(draft)["state"] == PreRegistrationState.DRAFT


# --- Access ----------------------------------------------------------------------------------


@pytest.fixture
def intruder(client):
    """A member of another organisation B, logged in."""
    intruder = UserFactory()
    OrganisationFactory(owner=intruder, name="Organisatie B vzw")
    client.force_login(intruder)
    return intruder


@pytest.mark.django_db
def test_preregistration_of_another_organisation_is_404_everywhere(client, call, organisation, user, draft, intruder):
    before = stored(draft)
    url = prereg_url(call, organisation)

    assert client.get(url).status_code == 404
    assert client.post(url, form_post(call, organisation, 1, network_name="Gekaapt")).status_code == 404
    for action in ("submit", "withdraw", "reopen"):
        assert client.post(prereg_url(call, organisation, action), {"organisation": organisation.pk}).status_code == 404
        assert client.post(prereg_url(call, action=action), {"organisation": organisation.pk}).status_code == 404

    assert stored(draft) == before
    assert not Submission.objects.exists()
    assert not AuditEvent.objects.filter(organisation=organisation, action__startswith="preregistration.").exists()


@pytest.mark.django_db
def test_preregistration_submitted_of_another_organisation_cannot_be_withdrawn(client, call, organisation, user, draft, intruder):
    preregistration_submit(preregistration_id=draft.pk, actor=user)
    before = stored(draft)

    response = client.post(prereg_url(call, action="withdraw"), {"organisation": organisation.pk})

    assert response.status_code == 404
    assert stored(draft) == before


@pytest.mark.django_db
@pytest.mark.parametrize("raw", ["abc", "-1", "99999999999999999999999", "1.5"])
def test_preregistration_organisation_parameter_garbage_is_404(logged_in_client, call, organisation, raw):
    response = logged_in_client.get(f"{prereg_url(call)}?organisation={raw}")

    assert response.status_code == 404


@pytest.mark.django_db
def test_preregistration_unknown_or_unpublished_call_is_404(logged_in_client, organisation):
    unpublished = CallFactory(is_published=False)

    assert logged_in_client.get("/calls/bestaat-niet/preregistration/").status_code == 404
    assert logged_in_client.get(prereg_url(unpublished, organisation)).status_code == 404
    response = logged_in_client.post(prereg_url(unpublished), form_post(unpublished, organisation, 0))
    assert response.status_code == 404
    assert logged_in_client.post(prereg_url(unpublished, action="submit"), {"organisation": organisation.pk}).status_code == 404
    assert not PreRegistration.objects.exists()


@pytest.mark.django_db
def test_preregistration_anonymous_is_redirected_to_login(client, call, organisation, draft):
    before = stored(draft)
    login = reverse("account_login")

    for url, method in [
        (prereg_url(call, organisation), client.get),
        (prereg_url(call), client.post),
        (prereg_url(call, action="submit"), client.post),
        (prereg_url(call, action="withdraw"), client.post),
        (prereg_url(call, action="reopen"), client.post),
    ]:
        response = method(url, {"organisation": organisation.pk} if method == client.post else None)
        assert response.status_code == 302, url
        assert response["Location"].startswith(login), url

    assert stored(draft) == before


# --- The page --------------------------------------------------------------------------------


def status_box(html):
    """The status block at the top of the page (deadline, time left, state)."""
    start = html.index('id="status"')
    return html[start : html.index("</div>", start)]


@pytest.mark.django_db
def test_preregistration_page_shows_deadline_time_left_and_state(client, at_brussels, organisation, user):
    call = noon_call(at_brussels, 2026, 5, 11)
    PreRegistrationFactory(call=call, organisation=organisation, complete=True)
    now = at_brussels(2026, 5, 8, 8, 15)
    client.force_login(user)

    with time_machine.travel(now, tick=False):
        response = client.get(prereg_url(call, organisation))

    html = response.content.decode()
    assert response.status_code == 200
    expected_deadline = format_brussels_long(call.preregistration_deadline)
    assert "2026" in expected_deadline and "12:00" in expected_deadline
    assert expected_deadline in status_box(html)
    # The machine-readable deadline is the same instant, whatever offset it is written with.
    stamp = re.search(r'<time datetime="([^"]+)"', html).group(1)
    assert datetime.fromisoformat(stamp) == datetime(2026, 5, 11, 10, 0, tzinfo=UTC)
    expected_left = format_duration(call.preregistration_deadline - now)
    assert call.preregistration_deadline - now == timedelta(days=3, hours=3, minutes=45)
    assert expected_left in status_box(html)
    assert status_box(html).count(str(PreRegistrationState.DRAFT.label)) == 1


@pytest.mark.django_db
def test_preregistration_page_shows_submitted_state_and_reference(logged_in_client, call, organisation, user, draft):
    submission = preregistration_submit(preregistration_id=draft.pk, actor=user)

    response = logged_in_client.get(prereg_url(call, organisation))

    html = response.content.decode()
    assert str(PreRegistrationState.SUBMITTED.label) in status_box(html)
    assert submission.reference in status_box(html)
    assert submission.reference in html
    assert submission.snapshot_sha256 in html
    assert response.context["editable"] is False
    assert response.context["dossier_unlocked"] is True


@pytest.mark.django_db
def test_preregistration_page_shows_the_extended_deadline(client, at_brussels, organisation, user):
    call = noon_call(at_brussels, 2026, 1, 23)
    Extension.objects.create(
        call=call,
        organisation=organisation,
        phase=Phase.PREREGISTRATION,
        deadline=at_brussels(2026, 1, 30, 17),
        reason="Storing",
        granted_by=UserFactory(),
    )
    client.force_login(user)

    with time_machine.travel(at_brussels(2026, 1, 24, 9), tick=False):
        response = client.get(prereg_url(call, organisation))

    assert response.context["editable"] is True
    assert format_brussels_long(at_brussels(2026, 1, 30, 17)) in response.content.decode()
    assert format_brussels_long(call.preregistration_deadline) not in response.content.decode()


@receipt_call
@receipt_organisation
def test_preregistration_page_shows_the_registered_instant_then_the_receipt_link(
    client, user, call, organisation, django_capture_on_commit_callbacks
):
    PreRegistrationFactory(call=call, organisation=organisation, complete=True)
    client.force_login(user)
    page = reverse("intake:preregistration", kwargs={"slug": call.slug}) + f"?organisation={organisation.pk}"

    with (
        time_machine.travel(SUBMITTED, tick=False),
        django_capture_on_commit_callbacks(execute=False) as callbacks,
    ):
        response = client.post(
            reverse("intake:preregistration_submit", kwargs={"slug": call.slug}), {"organisation": organisation.pk}, follow=True
        )

    submission = Submission.objects.get()
    html = response.content.decode()
    assert response.status_code == 200
    assert "Geregistreerd op" in html
    # On the page a moment reads "23 januari 2026 om 11:59"; seconds and offset are the receipt's.
    assert moment(submission.submitted_at, "nl") in html
    assert instant(submission.submitted_at, "nl") not in html
    assert download_url(submission.reference) not in html  # the receipt is not there yet

    with time_machine.travel(SUBMITTED + timedelta(seconds=20), tick=False):
        for callback in callbacks:
            callback()
        html = client.get(page).content.decode()

    assert Receipt.objects.get().status == ReceiptStatus.RENDERED
    assert moment(submission.submitted_at, "nl") in html
    assert f'href="{download_url(submission.reference)}"' in html


def test_a_first_visit_offers_save_and_submit_with_the_organisation_contact(logged_in_client, call, organisation):
    """Deadline morning: a new pre-registration can be submitted in one step."""
    response = logged_in_client.get(prereg_url(call, organisation))

    assert response.status_code == 200
    assert 'name="and_submit"' in response.content.decode()
    form = response.context["form"]
    assert form["contact_email"].value() == organisation.contact_email
    assert form["contact_name"].value() == organisation.contact_name


def test_a_first_visit_save_and_submit_creates_and_submits_in_one_request(logged_in_client, call, organisation):
    typed = form_post(call, organisation, 0)

    response = logged_in_client.post(prereg_url(call), {**typed, "and_submit": "1"})

    assert response.status_code == 302
    assert PreRegistration.objects.get().state == PreRegistrationState.SUBMITTED
    assert Submission.objects.count() == 1
