"""The reviewer dashboard: per call, pre-registrations and dossiers counted by state,
submissions per day, and the number of submits refused because the deadline had passed
(audit events ``<phase>.late_attempt``)."""

from datetime import timedelta

import pytest
import time_machine

from intake.audit import late_attempt_record
from intake.kernel.errors import DeadlinePassed
from intake.services.submissions import dossier_submit, preregistration_submit
from tests.factories import OrganisationFactory, PreRegistrationFactory, UserFactory
from tests.intake.dossier_helpers import complete_dossier
from tests.reviews.review_helpers import cheap_application, make_call, make_reviewer, sign_in, while_open


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
