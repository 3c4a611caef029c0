"""Who gets what on every /reviews/ URL and method: anonymous → login; applicant → 403;
agency staff without a second factor → the two-factor page; a reviewer of another call →
404; the assigned reviewer → the declare page, then the dossier; a conflicted reviewer →
no content; the call manager → everything, and only the manager records decisions and
assigns reviewers. Every refused POST changes nothing."""

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import TOTP
from django.urls import reverse

from intake.kernel.enums import DossierSection
from intake.models import AuditEvent
from intake.services.submissions import dossier_submit
from reviews import services
from reviews.models import AdmissibilityReview, ConflictDeclaration, Decision, ReviewerAssignment, Score
from reviews.urls import urlpatterns
from tests.auth import current_totp_code
from tests.factories import UserFactory
from tests.intake.dossier_helpers import NETWORK, save_section
from tests.reviews.review_helpers import (
    TOTP_SECRET,
    is_login_redirect,
    is_second_factor_redirect,
    make_call,
    make_manager,
    make_reviewer,
    scores_for,
    sign_in,
    submitted_dossier,
    while_open,
)

# --- The endpoints -------------------------------------------------------------------------------


def _assign_data(review):
    return {"reviewer": make_reviewer().pk, "dossier_reference": ""}


def _make_admissible(review):
    services.admissibility_decide(
        dossier_id=review.dossier.pk,
        decision="admissible",
        motivation="Alle voorwaarden zijn vervuld.",
        actor=review.manager,
        submission=review.submission,
    )


def _attachment_url(review):
    return review.url("attachment", pk=review.dossier.attachments.order_by("pk").first().pk)


def _state_none(review):
    return None


def _state_assignments(review):
    return sorted(ReviewerAssignment.objects.filter(call=review.call).values_list("reviewer_id", "dossier_id"))


def _state_declarations(review):
    return sorted(ConflictDeclaration.objects.filter(dossier=review.dossier).values_list("reviewer_id", "has_conflict"))


def _state_admissibility(review):
    review.dossier.refresh_from_db()
    return review.dossier.state, list(AdmissibilityReview.objects.filter(dossier=review.dossier).values_list("decision"))


def _state_scores(review):
    return sorted(
        (r, c, str(s))
        for r, c, s in Score.objects.filter(sheet__dossier=review.dossier).values_list("sheet__reviewer", "criterion", "score")
    )


def _state_decision(review):
    review.dossier.refresh_from_db()
    return review.dossier.state, list(Decision.objects.filter(dossier=review.dossier).values_list("outcome"))


def _state_downloads(review):
    return AuditEvent.objects.filter(action="attachment.downloaded").count()


# id: (method, url(review), data(review) or None, prepare(review) or None, state(review))
ENDPOINTS = {
    "dashboard": ("get", lambda r: r.url("dashboard"), None, None, _state_none),
    "call-list": ("get", lambda r: r.url("call"), None, None, _state_none),
    "call-csv": ("get", lambda r: r.url("call") + "?export=csv", None, None, _state_none),
    "call-xlsx": ("get", lambda r: r.url("call") + "?export=xlsx", None, None, _state_none),
    "assignments-get": ("get", lambda r: r.url("assignments"), None, None, _state_none),
    "assignments-post": ("post", lambda r: r.url("assignments"), _assign_data, None, _state_assignments),
    "dossier-get": ("get", lambda r: r.url("dossier"), None, None, _state_none),
    "declare-post": ("post", lambda r: r.url("declare"), lambda r: {"has_conflict": "no", "note": ""}, None, _state_declarations),
    "admissibility-post": (
        "post",
        lambda r: r.url("admissibility"),
        lambda r: {"decision": "admissible", "motivation": "In orde."},
        None,
        _state_admissibility,
    ),
    "scores-post": ("post", lambda r: r.url("scores"), lambda r: {**scores_for(r, 7, 8), "save": ""}, None, _state_scores),
    "decision-post": (
        "post",
        lambda r: r.url("decision"),
        lambda r: {"outcome": "rejected", "motivation": "Onvoldoende impact.", "override_reason": ""},
        _make_admissible,
        _state_decision,
    ),
    "attachment-get": ("get", _attachment_url, None, None, _state_downloads),
}

# --- The roles -----------------------------------------------------------------------------------
# Each role signs in through ``sign_in(client, user, second_factor=...)``: here with a password
# (and a TOTP step), in tests/oidc/test_access_matrix.py through the identity providers.


def _anonymous(client, review, sign_in=sign_in):
    return None


def _applicant(client, review, sign_in=sign_in):
    # A member of the organisation whose dossier this is, in no agency group.
    sign_in(client, review.applicant, second_factor=False)
    return review.applicant


def _reviewer_without_second_factor(client, review, sign_in=sign_in):
    sign_in(client, review.reviewer, second_factor=False)
    return review.reviewer


def _manager_without_second_factor(client, review, sign_in=sign_in):
    sign_in(client, review.manager, second_factor=False)
    return review.manager


def _reviewer_of_another_call(client, review, sign_in=sign_in):
    other = make_reviewer()
    services.assignment_create(call=make_call(), reviewer=other, assigned_by=review.manager)
    sign_in(client, other)
    return other


def _reviewer_undeclared(client, review, sign_in=sign_in):
    sign_in(client, review.reviewer)
    return review.reviewer


def _reviewer_declared(client, review, sign_in=sign_in):
    services.conflict_declare(dossier=review.dossier, reviewer=review.reviewer, has_conflict=False)
    sign_in(client, review.reviewer)
    return review.reviewer


def _reviewer_conflicted(client, review, sign_in=sign_in):
    services.conflict_declare(
        dossier=review.dossier, reviewer=review.reviewer, has_conflict=True, note="Mijn broer is bestuurder."
    )
    sign_in(client, review.reviewer)
    return review.reviewer


def _manager(client, review, sign_in=sign_in):
    sign_in(client, review.manager)
    return review.manager


ROLES = {
    "anonymous": _anonymous,
    "applicant": _applicant,
    "reviewer-without-2fa": _reviewer_without_second_factor,
    "manager-without-2fa": _manager_without_second_factor,
    "reviewer-of-another-call": _reviewer_of_another_call,
    "reviewer-undeclared": _reviewer_undeclared,
    "reviewer-declared": _reviewer_declared,
    "reviewer-conflicted": _reviewer_conflicted,
    "manager": _manager,
}

# --- The matrix ----------------------------------------------------------------------------------
# login: redirect to the login page · 2fa: redirect to reviews:second_factor · 403 / 404 ·
# 200: the page or file · declare / dossier / conflicted: which dossier page (status 200 / 200 / 403) ·
# done: the POST took effect (302) · refused: the POST was answered (302 back) and changed nothing.

_ALL = list(ENDPOINTS)
MATRIX = {
    "anonymous": dict.fromkeys(_ALL, "login"),
    "applicant": dict.fromkeys(_ALL, "403"),
    "reviewer-without-2fa": dict.fromkeys(_ALL, "2fa"),
    "manager-without-2fa": dict.fromkeys(_ALL, "2fa"),
    "reviewer-of-another-call": {
        **dict.fromkeys(_ALL, "404"),
        "dashboard": "200",
        # Manager-only URLs refuse every other user before looking at the call.
        "assignments-get": "403",
        "assignments-post": "403",
        "decision-post": "403",
    },
    "reviewer-undeclared": {
        "dashboard": "200",
        "call-list": "200",
        "call-csv": "200",
        "call-xlsx": "200",
        "assignments-get": "403",
        "assignments-post": "403",
        "dossier-get": "declare",
        "declare-post": "done",
        "admissibility-post": "refused",
        "scores-post": "refused",
        "decision-post": "403",
        "attachment-get": "404",
    },
    "reviewer-declared": {
        "dashboard": "200",
        "call-list": "200",
        "call-csv": "200",
        "call-xlsx": "200",
        "assignments-get": "403",
        "assignments-post": "403",
        "dossier-get": "dossier",
        "declare-post": "refused",
        "admissibility-post": "done",
        "scores-post": "done",
        "decision-post": "403",
        "attachment-get": "200",
    },
    "reviewer-conflicted": {
        "dashboard": "200",
        "call-list": "200",
        "call-csv": "200",
        "call-xlsx": "200",
        "assignments-get": "403",
        "assignments-post": "403",
        "dossier-get": "conflicted",
        "declare-post": "refused",
        "admissibility-post": "refused",
        "scores-post": "refused",
        "decision-post": "403",
        "attachment-get": "404",
    },
    "manager": {
        **dict.fromkeys(_ALL, "200"),
        "assignments-post": "done",
        "dossier-get": "dossier",
        "declare-post": "done",
        "admissibility-post": "done",
        "scores-post": "done",
        "decision-post": "done",
    },
}

CELLS = [(role, endpoint) for role in ROLES for endpoint in ENDPOINTS]


def _send(client, method, url, data):
    return client.post(url, data) if method == "post" else client.get(url)


def _template_names(response) -> set[str]:
    return {t.name for t in response.templates if t.name}


@pytest.mark.parametrize(("role", "endpoint"), CELLS, ids=[f"{r}-{e}" for r, e in CELLS])
def test_access_matrix(client, review, role, endpoint):
    check_cell(client, review, role, endpoint, sign_in)


def check_cell(client, review, role, endpoint, sign_in):
    """One cell of the matrix: ``role`` signed in through ``sign_in`` sends ``endpoint``."""
    method, url_of, data_of, prepare, state_of = ENDPOINTS[endpoint]
    ROLES[role](client, review, sign_in)
    if prepare:
        prepare(review)
    url = url_of(review)
    data = data_of(review) if data_of else None
    before = state_of(review)

    response = _send(client, method, url, data)

    expected = MATRIX[role][endpoint]
    after = state_of(review)
    if expected == "login":
        assert is_login_redirect(response), (response.status_code, response.get("Location"))
    elif expected == "2fa":
        assert is_second_factor_redirect(response), (response.status_code, response.get("Location"))
    elif expected in ("403", "404"):
        assert response.status_code == int(expected)
    elif expected == "200":
        assert response.status_code == 200
        if endpoint == "attachment-get":
            assert b"".join(response.streaming_content).startswith(b"PK")  # the budget template (XLSX)
        elif endpoint == "call-csv":
            assert response.content.startswith(b"\xef\xbb\xbf")
        elif endpoint == "call-xlsx":
            assert response.content.startswith(b"PK")
    elif expected == "declare":
        assert response.status_code == 200
        assert "reviews/declare.html" in _template_names(response)
        assert "reviews/dossier.html" not in _template_names(response)
    elif expected == "dossier":
        assert response.status_code == 200
        assert "reviews/dossier.html" in _template_names(response)
    elif expected == "conflicted":
        assert response.status_code == 403
        assert "reviews/conflicted.html" in _template_names(response)
        assert NETWORK["theme"] not in response.content.decode()
    elif expected in ("done", "refused"):
        assert response.status_code == 302, response.status_code
        target = review.url("assignments") if endpoint == "assignments-post" else review.url("dossier")
        assert response["Location"] == target
    else:  # pragma: no cover
        raise AssertionError(expected)

    if expected == "done":
        assert after != before, "the POST should have taken effect"
    elif (expected, endpoint) == ("200", "attachment-get"):
        assert after == before + 1, "a download is audited"
    else:
        assert after == before, "a refused request must change nothing"


def test_access_matrix_covers_every_reviews_url():
    """A new URL in reviews/urls.py must be added to the matrix."""
    names = {p.name for p in urlpatterns} - {"second_factor"}
    covered = {"dashboard", "call", "assignments", "dossier", "declare", "admissibility", "scores", "decision", "attachment"}
    assert names == covered
    assert set(MATRIX) == set(ROLES)
    assert all(set(row) == set(ENDPOINTS) for row in MATRIX.values())


# --- The second factor ---------------------------------------------------------------------------


def test_second_factor_authenticator_without_totp_step_in_session_is_sent_to_second_factor_page(client, review):
    # Has a TOTP authenticator, but this session only passed the password step.
    sign_in(client, review.reviewer, second_factor=False, authenticator=True)
    response = client.get(review.url("call"))
    assert is_second_factor_redirect(response)


def test_second_factor_mfa_step_without_totp_authenticator_is_sent_to_second_factor_page(client, review):
    sign_in(client, review.reviewer, second_factor=True, authenticator=False)
    response = client.get(review.url("call"))
    assert is_second_factor_redirect(response)


def test_second_factor_records_of_another_user_in_the_session_do_not_count(client, review):
    """allauth binds the recorded steps to the user who made them."""
    sign_in(client, review.manager)
    session = client.session
    records = session["account_authentication_methods"]
    client.force_login(review.reviewer)  # another user on the same browser
    session = client.session
    session["account_authentication_methods"] = records
    session["account_authentication_methods_user"] = str(review.manager.pk)
    session.save()
    response = client.get(review.url("call"))
    assert is_second_factor_redirect(response)


def test_second_factor_page_explains_and_links_to_totp_setup(client, review):
    sign_in(client, review.reviewer, second_factor=False)
    response = client.get(review.url("dashboard"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("reviews:second_factor")
    assert response.status_code == 403
    assert reverse("mfa_activate_totp") in response.content.decode()


def test_second_factor_not_required_when_setting_off(client, review, settings):
    settings.REVIEWS_REQUIRE_MFA = False
    sign_in(client, review.reviewer, second_factor=False)
    assert client.get(review.url("call")).status_code == 200


def test_second_factor_real_login_with_password_and_totp_code_opens_the_dashboard(client, review):
    """End to end through allauth's own pages: e-mail and password, then the TOTP code."""
    TOTP.activate(review.reviewer, TOTP_SECRET)
    response = client.post(reverse("account_login"), {"login": review.reviewer.email, "password": "correct horse battery staple"})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": current_totp_code(TOTP_SECRET)})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert client.get(reverse("account_email")).status_code == 200  # signed in

    response = client.get(review.url("dashboard"))

    assert response.status_code == 200, response.get("Location")
    assert review.call.title in response.content.decode()


def test_second_factor_password_only_login_of_totp_user_stops_at_the_code_page(client, review):
    TOTP.activate(review.reviewer, TOTP_SECRET)
    client.post(reverse("account_login"), {"login": review.reviewer.email, "password": "correct horse battery staple"})
    assert is_login_redirect(client.get(review.url("dashboard")))  # not signed in until the code is given


# --- Scope: what an assigned reviewer sees --------------------------------------------------------


def test_scope_reviewer_of_one_dossier_sees_only_that_dossier(client, review):
    other_dossier, other_submission = submitted_dossier(review.call, acronym="ANDER")
    single = make_reviewer()
    services.assignment_create(call=review.call, reviewer=single, dossier=other_dossier, assigned_by=review.manager)
    sign_in(client, single)

    listing = client.get(review.url("call"))
    assert listing.status_code == 200
    page = listing.content.decode()
    assert other_submission.reference in page
    assert review.submission.reference not in page
    assert [a.pk for a, _dossier in listing.context["rows"]] == [other_dossier.preregistration_id]

    csv_text = client.get(review.url("call") + "?export=csv").content.decode("utf-8-sig")
    assert other_submission.reference in csv_text
    assert review.submission.reference not in csv_text

    own = reverse("reviews:dossier", kwargs={"slug": review.call.slug, "reference": other_submission.reference})
    assert client.get(own).status_code == 200
    for name in ("dossier", "attachment"):
        kwargs = {"pk": review.dossier.attachments.first().pk} if name == "attachment" else {}
        assert client.get(review.url(name, **kwargs)).status_code == 404
    for name in ("declare", "admissibility", "scores"):
        assert client.post(review.url(name), {"has_conflict": "no"}).status_code == 404
    assert not ConflictDeclaration.objects.filter(reviewer=single, dossier=review.dossier).exists()


def test_scope_any_submission_reference_of_the_dossier_opens_it_at_the_last_version(client, review):
    with time_machine.travel(while_open(review.call, minutes=5), tick=False):
        save_section(review.dossier.pk, DossierSection.NETWORK, {**NETWORK, "theme": "Versie 2"}, review.applicant)
        second = dossier_submit(dossier_id=review.dossier.pk, actor=review.applicant)
    sign_in(client, review.manager)
    for reference in (review.reference, second.reference):
        url = reverse("reviews:dossier", kwargs={"slug": review.call.slug, "reference": reference})
        response = client.get(url)
        assert response.status_code == 200
        assert response.context["submission"].pk == second.pk


def test_scope_unknown_reference_and_preregistration_reference_are_404(client, review):
    sign_in(client, review.manager)
    for reference in ("T0-DS-9999-1", review.dossier.preregistration.reference):
        url = reverse("reviews:dossier", kwargs={"slug": review.call.slug, "reference": reference})
        assert client.get(url).status_code == 404


def test_scope_dossier_reference_under_another_call_slug_is_404(client, review):
    other_call = make_call()
    services.assignment_create(call=other_call, reviewer=review.reviewer, assigned_by=review.manager)
    sign_in(client, review.reviewer)
    url = reverse("reviews:dossier", kwargs={"slug": other_call.slug, "reference": review.reference})
    assert client.get(url).status_code == 404


def test_scope_dashboard_lists_only_the_reviewers_calls(client, review):
    other_call = make_call()
    sign_in(client, review.reviewer)
    page = client.get(review.url("dashboard")).content.decode()
    assert review.call.title in page
    assert other_call.title not in page


def test_scope_manager_dashboard_lists_every_call(client, review):
    other_call = make_call()
    sign_in(client, review.manager)
    page = client.get(review.url("dashboard")).content.decode()
    assert review.call.title in page
    assert other_call.title in page


def test_scope_superuser_is_a_call_manager(client, review):
    boss = UserFactory(is_superuser=True, is_staff=True)
    sign_in(client, boss)
    assert client.get(review.url("assignments")).status_code == 200


def test_scope_assignment_refuses_a_user_who_is_not_a_reviewer(client, review):
    sign_in(client, review.manager)
    applicant_pk = review.applicant.pk
    response = client.post(review.url("assignments"), {"reviewer": applicant_pk, "dossier_reference": ""})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not ReviewerAssignment.objects.filter(reviewer_id=applicant_pk).exists()


def test_scope_assignment_to_one_dossier_by_reference(client, review):
    single = make_reviewer()
    sign_in(client, review.manager)
    response = client.post(review.url("assignments"), {"reviewer": single.pk, "dossier_reference": review.reference})
    assert response.status_code == 302
    assignment = ReviewerAssignment.objects.get(reviewer=single)
    assert assignment.dossier_id == review.dossier.pk
    assert AuditEvent.objects.filter(action="review.assigned", object_id=str(assignment.pk)).exists()


def test_scope_assignment_twice_is_refused_with_a_message(client, review):
    sign_in(client, review.manager)
    response = client.post(review.url("assignments"), {"reviewer": review.reviewer.pk, "dossier_reference": ""})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert ReviewerAssignment.objects.filter(reviewer=review.reviewer).count() == 1


def test_scope_assignment_with_a_reference_of_another_call_is_refused(client, review):
    other_call = make_call()
    _other_dossier, other_submission = submitted_dossier(other_call)
    single = make_reviewer()
    sign_in(client, review.manager)
    response = client.post(review.url("assignments"), {"reviewer": single.pk, "dossier_reference": other_submission.reference})
    assert response.status_code == 200
    assert "dossier_reference" in response.context["form"].errors
    assert not ReviewerAssignment.objects.filter(reviewer=single).exists()


def test_scope_manager_without_assignment_sees_every_call(client, review):
    other_manager = make_manager()
    sign_in(client, other_manager)
    assert client.get(review.url("call")).status_code == 200
    assert client.get(review.url("dossier")).status_code == 200
