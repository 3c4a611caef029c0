"""The admin is no side door to dossiers (reviews.admin): whatever a staff member's model
permissions, every admin URL shows of an application only what the reviewer dashboard
would, and nothing of a dossier they declared a conflict with."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import NoReverseMatch, reverse

from intake.messaging.receipts import receipt_produce
from intake.models import Submission
from reviews import services
from tests.reviews.review_helpers import make_manager, sign_in

# What only the dossier and its pre-registration carry: their references and the words of
# the dossier's sections (tests/intake/dossier_helpers.py: NETWORK).
DOSSIER_WORDS = ("Slimme warmtenetten in Vlaamse bedrijvenzones", "Geen enkel bedrijf kan dit alleen")


@pytest.fixture(autouse=True)
def _receipt_mailed(review):
    """The dossier's receipt rendered and e-mailed: its e-mail is in the outbox."""
    receipt_produce(submission_id=review.submission.pk)


def markers(review) -> tuple[str, ...]:
    references = tuple(
        Submission.objects.filter(organisation=review.organisation, call=review.call).values_list("reference", flat=True)
    )
    assert len(references) == 2  # the pre-registration's and the dossier's
    return references + DOSSIER_WORDS


def every_admin_url():
    """Each registered model's list, and the change, history and delete pages of every row
    in the database (GET only: the pages, never the actions)."""
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        yield reverse(f"{prefix}_changelist")
        for pk in model._default_manager.values_list("pk", flat=True):
            for view in ("change", "history", "delete"):
                try:
                    yield reverse(f"{prefix}_{view}", args=[pk])
                except NoReverseMatch:
                    continue


def pages_showing(client, words) -> list[tuple[str, str]]:
    shown = []
    for url in every_admin_url():
        response = client.get(url)
        if response.status_code == 200:
            page = response.content.decode()
            shown.extend((url, word) for word in words if word in page)
    return shown


def staff_reviewer_with_a_conflict(review):
    reviewer = review.reviewer
    reviewer.is_staff = True  # "a normal thing for an agency to do"
    reviewer.save(update_fields=["is_staff"])
    services.conflict_declare(dossier=review.dossier, reviewer=reviewer, has_conflict=True, note="Mijn schoonbroer")
    return reviewer


def with_every_view_permission(user):
    """The agency ticks "can view" on every model for this user, directly."""
    user.user_permissions.add(*Permission.objects.filter(codename__startswith="view_"))
    return user


@pytest.mark.parametrize(
    "who",
    [
        pytest.param(staff_reviewer_with_a_conflict, id="staff reviewer"),
        pytest.param(lambda review: with_every_view_permission(staff_reviewer_with_a_conflict(review)), id="with view rights"),
    ],
)
def test_admin_staff_reviewer_with_a_conflict_reads_nothing_of_the_dossier(client, review, who):
    user = who(review)
    sign_in(client, user)

    assert client.get(reverse("admin:index")).status_code == 200  # in the admin, as staff
    assert pages_showing(client, markers(review)) == []


def test_admin_call_manager_with_a_conflict_reads_nothing_of_the_dossier(client, review):
    """Call managers see every call in the dashboard, except a dossier they declared a
    conflict with; the admin's lists follow the same rule."""
    manager = review.manager
    manager.is_staff = True
    manager.save(update_fields=["is_staff"])
    services.conflict_declare(dossier=review.dossier, reviewer=manager, has_conflict=True, note="Vroeger mijn werkgever")
    sign_in(client, manager)

    assert pages_showing(client, markers(review)) == []


def test_admin_call_manager_reads_what_is_in_scope(client, review):
    """The other side: without a conflict, the call manager finds the submissions, the
    pre-registration and the receipt e-mail in the admin, as before."""
    manager = make_manager(is_staff=True)
    sign_in(client, manager)

    shown = pages_showing(client, markers(review))

    shown_words = {word for _url, word in shown}
    assert shown_words == set(markers(review))
    for page in ("submission", "preregistration", "receipt", "outboxmessage", "auditevent"):
        assert any(f"/admin/intake/{page}/" in url for url, _word in shown), page
