"""The reviewer dashboard: per call, pre-registrations and dossiers counted by state,
submissions per day, the number of submits refused because the deadline had passed
(audit events ``<phase>.late_attempt``), and what is still to do for the signed-in reviewer;
the header's way to it."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from intake.audit import late_attempt_record
from intake.kernel.errors import DeadlinePassed
from intake.services.submissions import dossier_submit, preregistration_submit
from reviews import services
from reviews.models import ConflictDeclaration, ScoreSheet
from tests.factories import OrganisationFactory, PreRegistrationFactory, UserFactory
from tests.intake.dossier_helpers import complete_dossier
from tests.reviews.review_helpers import cheap_application, make_call, make_manager, make_reviewer, sign_in, while_open


def _item(response, call) -> dict:
    [item] = [i for i in response.context["calls"] if i["call"].pk == call.pk]
    return item


def test_dashboard_counts_by_state(client, review):
    call = review.call
    for number in (2, 3):
        cheap_application(call, number)
    cheap_application(call, 4, with_dossier=False)
    PreRegistrationFactory(call=call, organisation=OrganisationFactory(), complete=True)  # a draft
    sign_in(client, review.manager)

    response = client.get(review.url("dashboard"))

    counts = _item(response, call)["counts"]
    # Labels in the interface language (Dutch by default), not raw state codes.
    assert counts == {"preregistrations": {"ingediend": 4, "ontwerp": 1}, "dossiers": {"ingediend": 3}}
    page = response.content.decode()
    assert "<td>4</td>" in page
    assert "<td>1</td>" in page
    assert "<td>3</td>" in page


def test_dashboard_late_attempts_are_counted_per_call(client, review):
    call = review.call
    applicant = UserFactory()
    late_organisation = OrganisationFactory(owner=applicant)
    with time_machine.travel(while_open(call), tick=False):
        late_dossier = complete_dossier(call, late_organisation, applicant)
    draft = PreRegistrationFactory(call=call, organisation=OrganisationFactory(owner=applicant), complete=True)

    # Now (after both deadlines) two submits are refused, and recorded.
    with pytest.raises(DeadlinePassed):
        dossier_submit(dossier_id=late_dossier.pk, actor=applicant)
    with pytest.raises(DeadlinePassed):
        preregistration_submit(preregistration_id=draft.pk, actor=applicant)
    # A late attempt on another call does not count here.
    other = make_call()
    late_attempt_record(
        actor=applicant,
        refusal=DeadlinePassed(other.dossier_deadline, call=other, phase="dossier", organisation=draft.organisation),
    )
    sign_in(client, review.manager)

    response = client.get(review.url("dashboard"))

    assert _item(response, call)["late"] == 2
    assert _item(response, other)["late"] == 1
    assert "<strong>2</strong>" in response.content.decode()


def test_dashboard_submissions_per_day_in_brussels_time(client, review, brussels):
    call = review.call
    # 23:30 Brussels on day 2 is 21:30 or 22:30 UTC: the same Brussels day.
    late_evening = while_open(call).astimezone(brussels).replace(hour=23, minute=30) + timedelta(days=1)
    cheap_application(call, 2, submitted_at=late_evening)
    sign_in(client, review.manager)

    per_day = _item(client.get(review.url("dashboard")), call)["per_day"]

    days = {(day, str(kind)): n for day, kind, n in per_day}
    assert days[(late_evening.date(), "volledig dossier")] == 1
    assert days[(late_evening.date(), "vooraanmelding")] == 1
    assert sum(n for (_day, kind), n in days.items() if kind == "volledig dossier") == 2


def test_dashboard_submissions_per_day_read_in_belgian_dutch(client, review, brussels):
    """The day as a Belgian date with the month written out, the phase as the interface
    names it: not "1 Dec 2026 · preregistration"."""
    call = review.call
    evening = while_open(call).astimezone(brussels).replace(hour=20, minute=0)
    cheap_application(call, 2, submitted_at=evening)
    sign_in(client, review.manager)

    page = client.get(review.url("dashboard")).content.decode()

    month = (
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    )[evening.month - 1]
    assert f'<th scope="row">{evening.day} {month} {evening.year}</th><td>vooraanmelding</td>' in page
    assert "<td>volledig dossier</td>" in page
    assert "preregistration" not in page


def test_dashboard_for_a_reviewer_without_assignments_says_so(client, db):
    sign_in(client, make_reviewer())
    response = client.get("/reviews/")
    assert response.status_code == 200
    assert response.context["calls"] == []


# --- "Still to do for me" (issue 12, item 11) -------------------------------------------------


def _todo_shape(call, manager, reviewer, start: int = 1) -> dict:
    """Dossiers of ``call`` in every shape a reviewer's to-do distinguishes; returns them by name."""
    shapes = {}
    for offset, (name, state) in enumerate(
        [
            ("undeclared", "submitted"),
            ("undeclared_admissible", "admissible"),
            ("declared", "submitted"),
            ("saved_not_submitted", "admissible"),
            ("scored", "submitted"),
            ("conflicted", "submitted"),
            ("inadmissible", "inadmissible"),
            ("decided", "approved"),
        ]
    ):
        shapes[name] = cheap_application(call, start + offset, dossier_state=state).dossier
    for name in ("declared", "saved_not_submitted", "scored"):
        ConflictDeclaration.objects.create(dossier=shapes[name], reviewer=reviewer, has_conflict=False)
    ConflictDeclaration.objects.create(dossier=shapes["conflicted"], reviewer=reviewer, has_conflict=True)
    ScoreSheet.objects.create(dossier=shapes["saved_not_submitted"], reviewer=reviewer)
    ScoreSheet.objects.create(dossier=shapes["scored"], reviewer=reviewer, submitted_at=timezone.now())
    # Someone else's declaration and scores change nothing for this reviewer.
    other = make_reviewer()
    ConflictDeclaration.objects.create(dossier=shapes["undeclared"], reviewer=other, has_conflict=False)
    ScoreSheet.objects.create(dossier=shapes["declared"], reviewer=other, submitted_at=timezone.now())
    return shapes


def test_todo_for_a_reviewer_of_the_whole_call_counts_the_right_dossiers(client, db):
    call, manager, reviewer = make_call(), make_manager(), make_reviewer()
    services.assignment_create(call=call, reviewer=reviewer, assigned_by=manager)
    _todo_shape(call, manager, reviewer)
    other_call = make_call()  # not assigned: nothing of it counts
    cheap_application(other_call, 1)
    sign_in(client, reviewer)

    response = client.get("/reviews/")

    # Being scored (submitted or admissible), less the conflicted one: 5; of those 2 not
    # declared yet, 2 declared without submitted scores (one has scores saved, not submitted).
    assert _item(response, call)["todo"] == {"assigned": 5, "to_declare": 2, "to_score": 2, "open": 4}
    page = response.content.decode()
    todo = page[page.index("Nog te doen voor mij") :]
    todo = todo[: todo.index("</div>")]
    assert "<strong>5</strong> dossiers toegewezen aan mij" in todo
    assert "<strong>2</strong> zonder mijn verklaring over belangenconflicten" in todo
    assert "<strong>2</strong> verklaard, nog niet gescoord" in todo
    assert f"/reviews/{call.slug}/?mine=on&amp;scored=no" in todo


def test_todo_for_a_reviewer_of_single_dossiers_counts_only_those(client, db):
    call, manager, reviewer = make_call(), make_manager(), make_reviewer()
    shapes = _todo_shape(call, manager, reviewer)
    for name in ("undeclared", "scored"):
        services.assignment_create(call=call, reviewer=reviewer, dossier=shapes[name], assigned_by=manager)
    sign_in(client, reviewer)

    response = client.get("/reviews/")

    assert _item(response, call)["todo"] == {"assigned": 2, "to_declare": 1, "to_score": 0, "open": 1}


def test_todo_is_not_shown_to_a_manager_without_assignments(client, review):
    sign_in(client, review.manager)

    response = client.get("/reviews/")

    assert _item(response, review.call)["todo"]["assigned"] == 0
    assert "Nog te doen voor mij" not in response.content.decode()


# --- The header (issue 12, item 11) -----------------------------------------------------------


def test_header_offers_beoordelen_to_agency_staff_only(client, review):
    link = re.compile(r'<a class="nav-link" href="/reviews/"( aria-current="page")?>Beoordelen</a>')
    sign_in(client, review.applicant, second_factor=False)
    assert not link.search(client.get("/").content.decode())

    for user in (review.reviewer, review.manager):
        sign_in(client, user)
        on_home = link.search(client.get("/").content.decode())
        assert on_home and on_home.group(1) is None
        on_reviews = link.search(client.get(review.url("call")).content.decode())
        assert on_reviews and on_reviews.group(1)  # "you are here" inside /reviews/
