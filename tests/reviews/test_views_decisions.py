"""Admissibility and decisions (reviews.views.admissibility, decide). Both wait until the
dossier deadline (that applies to the organisation) has passed. Admissibility records the
automatic checklist and moves the dossier to admissible or inadmissible. Approval needs an
admissible dossier that reaches every threshold, or the manager's written reason;
rejection is possible from admissible and from inadmissible. The applicant is told by
e-mail and reads the outcome and the motivation on the dossier page."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from intake.kernel.enums import Role
from intake.models import AuditEvent, Membership
from reviews import services
from reviews.models import AdmissibilityReview, Decision
from tests.factories import UserFactory
from tests.reviews.review_helpers import decide_admissibility, error_messages, score_dict, sign_in, state_of, submitted_dossier

ONE_MICROSECOND = timedelta(microseconds=1)
ADMISSIBLE = {"decision": "admissible", "motivation": "Alle ontvankelijkheidsvoorwaarden zijn vervuld."}


def _scored(review, *values):
    services.conflict_declare(dossier=review.dossier, reviewer=review.reviewer, has_conflict=False)
    services.scores_save(
        dossier_id=review.dossier.pk, reviewer=review.reviewer, scores=score_dict(review.call, *values), submit=True
    )


def _decide(client, review, outcome, motivation="De jury motiveert dit zo.", override_reason=""):
    return client.post(
        review.url("decision"),
        {"outcome": outcome, "motivation": motivation, "override_reason": override_reason},
        follow=True,
    )


# --- Admissibility ---------------------------------------------------------------------------


@pytest.mark.parametrize("moment", ["now", "just_before"])
def test_admissibility_refused_before_the_deadline(client, open_review, moment):
    review = open_review
    when = review.call.dossier_deadline - ONE_MICROSECOND if moment == "just_before" else None
    with time_machine.travel(when or review.call.opens_at + timedelta(days=2), tick=False):
        sign_in(client, review.manager)
        response = client.post(review.url("admissibility"), ADMISSIBLE, follow=True)

    assert error_messages(response)
    assert state_of(review) == "submitted"
    assert not AdmissibilityReview.objects.exists()


def test_admissibility_allowed_right_after_the_deadline(client, open_review):
    review = open_review
    with time_machine.travel(review.call.dossier_deadline + timedelta(minutes=1), tick=False):
        sign_in(client, review.manager)
        client.post(review.url("admissibility"), ADMISSIBLE)
    assert state_of(review) == "admissible"


def test_admissibility_records_the_checklist_and_moves_the_state(client, review):
    sign_in(client, review.manager)

    response = client.post(review.url("admissibility"), ADMISSIBLE, follow=True)

    assert not error_messages(response)
    assert state_of(review) == "admissible"
    record = AdmissibilityReview.objects.get(dossier=review.dossier)
    assert record.decision == "admissible"
    assert record.motivation == ADMISSIBLE["motivation"]
    assert record.decided_by == review.manager
    codes = {item["code"]: item["ok"] for item in record.checklist}
    assert codes == {
        "on_time": True,
        "legal_personality": True,
        "enterprise_number": True,
        # Not a rule of the call: shown, never blocking (issue 14, item 4).
        "organisation_verified": False,
        "mandates": True,
        "budget": True,
        "attachments": True,
    }
    assert all(set(item) == {"code", "label", "ok"} for item in record.checklist)
    event = AuditEvent.objects.get(action="dossier.admissible")
    assert (event.from_state, event.to_state, event.actor) == ("submitted", "admissible", review.manager)
    assert event.note == ADMISSIBLE["motivation"]
    assert ADMISSIBLE["motivation"] in client.get(review.url("dossier")).content.decode()


def test_admissibility_by_the_declared_reviewer(client, review):
    services.conflict_declare(dossier=review.dossier, reviewer=review.reviewer, has_conflict=False)
    sign_in(client, review.reviewer)
    client.post(review.url("admissibility"), {"decision": "inadmissible", "motivation": "Geen rechtspersoonlijkheid."})
    assert state_of(review) == "inadmissible"
    assert AdmissibilityReview.objects.get().decided_by == review.reviewer


def test_admissibility_needs_a_motivation(client, review):
    sign_in(client, review.manager)
    response = client.post(review.url("admissibility"), {"decision": "admissible", "motivation": "  "}, follow=True)
    assert error_messages(response)
    assert state_of(review) == "submitted"


def test_admissibility_only_once(client, review):
    decide_admissibility(review)
    sign_in(client, review.manager)
    response = client.post(review.url("admissibility"), {"decision": "inadmissible", "motivation": "Toch niet."}, follow=True)
    assert response.status_code == 200
    assert error_messages(response)
    assert state_of(review) == "admissible"
    assert AdmissibilityReview.objects.get().decision == "admissible"


# --- Decisions -------------------------------------------------------------------------------


@pytest.mark.parametrize("admissibility", [None, "inadmissible"])
def test_decision_approve_refused_when_not_admissible(client, review, admissibility):
    if admissibility:
        decide_admissibility(review, admissibility)
    state = state_of(review)
    sign_in(client, review.manager)

    response = _decide(client, review, "approved", override_reason="Toch goedkeuren.")

    assert error_messages(response)
    assert state_of(review) == state
    assert not Decision.objects.exists()


def test_decision_approve_refused_below_a_threshold_without_override_reason(client, review):
    decide_admissibility(review)
    _scored(review, "4.5", 9)  # 45 % on the first criterion
    sign_in(client, review.manager)

    response = _decide(client, review, "approved")

    assert error_messages(response)
    assert state_of(review) == "admissible"
    assert not Decision.objects.exists()


def test_decision_approve_below_a_threshold_with_override_reason(client, review):
    decide_admissibility(review)
    _scored(review, "4.5", 9)
    sign_in(client, review.manager)

    response = _decide(client, review, "approved", override_reason="Strategisch belang voor de regio.")

    assert not error_messages(response)
    assert state_of(review) == "approved"
    decision = Decision.objects.get()
    assert (decision.outcome, decision.override_reason, decision.decided_by) == (
        "approved",
        "Strategisch belang voor de regio.",
        review.manager,
    )
    assert AuditEvent.objects.filter(action="dossier.approved", actor=review.manager).count() == 1


def test_decision_approve_above_every_threshold_needs_no_override_reason(client, review):
    decide_admissibility(review)
    _scored(review, 8, 7)
    sign_in(client, review.manager)
    _decide(client, review, "approved")
    assert state_of(review) == "approved"
    assert Decision.objects.get().override_reason == ""


@pytest.mark.parametrize("admissibility", ["admissible", "inadmissible"])
def test_decision_reject_from_admissible_and_inadmissible(client, review, admissibility):
    decide_admissibility(review, admissibility)
    sign_in(client, review.manager)

    response = _decide(client, review, "rejected", motivation="Onvoldoende onderbouwd.")

    assert not error_messages(response)
    assert state_of(review) == "rejected"
    assert Decision.objects.get().outcome == "rejected"


def test_decision_reject_refused_before_admissibility(client, review):
    sign_in(client, review.manager)
    response = _decide(client, review, "rejected")
    assert response.status_code == 200
    assert error_messages(response)
    assert state_of(review) == "submitted"
    assert not Decision.objects.exists()


def test_decision_only_once(client, review):
    decide_admissibility(review)
    sign_in(client, review.manager)
    _decide(client, review, "rejected")
    response = _decide(client, review, "approved", override_reason="Bij nader inzien.")
    assert error_messages(response)
    assert state_of(review) == "rejected"
    assert Decision.objects.get().outcome == "rejected"


def test_decision_needs_a_motivation(client, review):
    decide_admissibility(review)
    sign_in(client, review.manager)
    response = _decide(client, review, "rejected", motivation=" ")
    assert error_messages(response)
    assert state_of(review) == "admissible"


def test_decision_the_applicant_is_told_by_email_and_on_the_dossier_page(
    client, review, mailoutbox, django_capture_on_commit_callbacks
):
    colleague = UserFactory()  # a second member of the organisation
    Membership.objects.create(organisation=review.organisation, user=colleague, role=Role.EDITOR)
    decide_admissibility(review)
    motivation = "Het netwerk is onvoldoende vernieuwend.\nDe begroting is wel in orde."
    sign_in(client, review.manager)

    with django_capture_on_commit_callbacks(execute=True):
        _decide(client, review, "rejected", motivation=motivation)

    assert sorted(m.to[0] for m in mailoutbox) == sorted([review.applicant.email, colleague.email])
    message = next(m for m in mailoutbox if m.to == [review.applicant.email])
    assert "Het netwerk is onvoldoende vernieuwend." in message.body
    assert review.call.title in message.subject
    dossier_path = reverse("intake:dossier", kwargs={"slug": review.call.slug})
    assert f"{dossier_path}?organisation={review.organisation.pk}" in message.body

    client.logout()
    client.force_login(review.applicant)
    response = client.get(f"{dossier_path}?organisation={review.organisation.pk}")
    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["decision"].outcome == "rejected"
    assert "Het netwerk is onvoldoende vernieuwend." in page
    assert "De begroting is wel in orde." in page
    assert str(Decision.objects.get().get_outcome_display()) in page


def test_decision_applicant_of_another_organisation_sees_no_decision(client, review):
    decide_admissibility(review)
    services.decision_record(
        dossier_id=review.dossier.pk,
        outcome="rejected",
        motivation="Geheim voor anderen.",
        override_reason="",
        actor=review.manager,
    )
    _other_dossier, other_submission = submitted_dossier(review.call, acronym="ANDER")
    client.force_login(other_submission.submitted_by)
    organisation = _other_dossier.organisation
    response = client.get(f"{reverse('intake:dossier', kwargs={'slug': review.call.slug})}?organisation={organisation.pk}")
    assert response.status_code == 200
    assert "Geheim voor anderen." not in response.content.decode()
