"""Declare-then-view (reviews.views.declare, dossier_detail): before declaring, a reviewer
sees only who applied (organisation, enterprise number, acronym); declaring no conflict
opens the dossier; declaring a conflict excludes the reviewer for good, is audited and told
to the call managers by e-mail. A declaration is final."""

import pytest
from django.urls import reverse

from intake.kernel.validators import format_enterprise_number
from intake.models import AuditEvent
from reviews import services
from reviews.models import ConflictDeclaration
from tests.intake.dossier_helpers import GOVERNANCE, NETWORK
from tests.reviews.review_helpers import make_manager, scores_for, sign_in


def test_declare_page_before_declaring_shows_only_who_applied(client, review):
    sign_in(client, review.reviewer)
    response = client.get(review.url("dossier"))
    page = response.content.decode()

    assert response.status_code == 200
    assert review.organisation.name in page
    assert format_enterprise_number(review.organisation.enterprise_number) in page
    assert review.dossier.preregistration.acronym in page
    for secret in (NETWORK["theme"], NETWORK["additionality"], GOVERNANCE["board_composition"], "mandaatbrieven.pdf"):
        assert secret not in page
    assert response.context.get("content") is None


def test_declare_no_conflict_opens_the_dossier(client, review):
    sign_in(client, review.reviewer)
    response = client.post(review.url("declare"), {"has_conflict": "no", "note": ""})
    assert response.status_code == 302
    assert response["Location"] == review.url("dossier")

    page = client.get(review.url("dossier")).content.decode()

    assert NETWORK["theme"] in page
    assert "mandaatbrieven.pdf" in page
    declaration = ConflictDeclaration.objects.get(dossier=review.dossier, reviewer=review.reviewer)
    assert declaration.has_conflict is False
    assert AuditEvent.objects.filter(action="review.no_conflict_declared", actor=review.reviewer).count() == 1


def test_declare_conflict_excludes_audits_and_tells_the_managers(client, review, mailoutbox, django_capture_on_commit_callbacks):
    second_manager = make_manager()
    sign_in(client, review.reviewer)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(review.url("declare"), {"has_conflict": "yes", "note": "Ik zetel in hun raad van bestuur."})

    assert response.status_code == 302
    declaration = ConflictDeclaration.objects.get(dossier=review.dossier, reviewer=review.reviewer)
    assert declaration.has_conflict is True
    event = AuditEvent.objects.get(action="review.conflict_declared")
    assert event.actor == review.reviewer
    assert event.call == review.call
    assert event.organisation == review.organisation
    assert event.note == "Ik zetel in hun raad van bestuur."

    assert sorted(m.to[0] for m in mailoutbox) == sorted([review.manager.email, second_manager.email])
    for message in mailoutbox:
        assert review.reviewer.email in message.body
        assert review.organisation.name in message.body
        assert "Ik zetel in hun raad van bestuur." in message.body

    conflicted = client.get(review.url("dossier"))
    assert conflicted.status_code == 403
    assert NETWORK["theme"] not in conflicted.content.decode()


def test_declare_no_conflict_sends_no_mail(client, review, mailoutbox, django_capture_on_commit_callbacks):
    sign_in(client, review.reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(review.url("declare"), {"has_conflict": "no"})
    assert mailoutbox == []


@pytest.mark.parametrize(("first", "second"), [("no", "yes"), ("yes", "no"), ("no", "no")])
def test_declare_second_declaration_is_refused_and_the_first_stands(client, review, first, second):
    sign_in(client, review.reviewer)
    client.post(review.url("declare"), {"has_conflict": first})

    response = client.post(review.url("declare"), {"has_conflict": second}, follow=True)

    [declaration] = ConflictDeclaration.objects.filter(dossier=review.dossier, reviewer=review.reviewer)
    assert declaration.has_conflict is (first == "yes")
    assert any(m.level_tag == "error" for m in response.context["messages"])


def test_declare_without_an_answer_records_nothing(client, review):
    sign_in(client, review.reviewer)
    response = client.post(review.url("declare"), {"note": "?"}, follow=True)
    assert not ConflictDeclaration.objects.exists()
    assert any(m.level_tag == "error" for m in response.context["messages"])


def test_declare_conflicted_reviewer_cannot_score_decide_admissibility_or_download(client, review):
    services.conflict_declare(dossier=review.dossier, reviewer=review.reviewer, has_conflict=True)
    sign_in(client, review.reviewer)

    client.post(review.url("scores"), {**scores_for(review, 8, 8), "submit": ""})
    client.post(review.url("admissibility"), {"decision": "admissible", "motivation": "In orde."})
    attachment = review.dossier.attachments.first()

    assert client.get(review.url("attachment", pk=attachment.pk)).status_code == 404
    assert not review.dossier.score_sheets.exists()
    review.dossier.refresh_from_db()
    assert review.dossier.state == "submitted"


def test_declare_undeclared_reviewer_cannot_score_before_declaring(client, review):
    sign_in(client, review.reviewer)
    response = client.post(review.url("scores"), {**scores_for(review, 8, 8), "save": ""}, follow=True)
    assert not review.dossier.score_sheets.exists()
    assert any(m.level_tag == "error" for m in response.context["messages"])


def test_declare_managers_see_the_dossier_without_declaring(client, review):
    sign_in(client, review.manager)
    page = client.get(review.url("dossier")).content.decode()
    assert NETWORK["theme"] in page


def test_conflicted_reviewer_does_not_see_the_row_in_the_list_or_the_export(client, review):
    services.conflict_declare(dossier=review.dossier, reviewer=review.reviewer, has_conflict=True)
    sign_in(client, review.reviewer)
    list_url = reverse("reviews:call", kwargs={"slug": review.call.slug})

    page = client.get(list_url).content.decode()
    export = client.get(list_url, {"export": "csv"}).content.decode("utf-8-sig")

    assert review.organisation.name not in page
    assert review.organisation.name not in export
