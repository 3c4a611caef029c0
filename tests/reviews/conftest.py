"""Fixtures for the reviewer dashboard tests (builders in review_helpers)."""

import pytest

from reviews import services
from tests.factories import OrganisationFactory, UserFactory
from tests.reviews.review_helpers import Review, make_call, make_manager, make_reviewer, submitted_dossier


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    root = tmp_path / "private"
    root.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(root)}},
    }
    return root


@pytest.fixture
def review(db) -> Review:
    """A closed call, one submitted dossier, a call manager and a reviewer assigned to the
    whole call (neither signed in yet)."""
    return build_review()


def build_review() -> Review:
    """What the ``review`` fixture gives (the browser tests build it too)."""
    call = make_call()
    applicant = UserFactory()
    organisation = OrganisationFactory(owner=applicant, name="Warmtecluster Vlaanderen vzw")
    dossier, submission = submitted_dossier(call, applicant=applicant, organisation=organisation)
    manager = make_manager()
    reviewer = make_reviewer()
    services.assignment_create(call=call, reviewer=reviewer, assigned_by=manager)
    return Review(
        call=call,
        applicant=applicant,
        organisation=organisation,
        dossier=dossier,
        submission=submission,
        manager=manager,
        reviewer=reviewer,
        criteria=list(call.criteria.all()),
    )


@pytest.fixture
def open_review(db):
    """Like ``review``, but the dossier deadline is still 90 days ahead."""
    call = make_call(closed=False)
    dossier, submission = submitted_dossier(call)
    manager = make_manager()
    return Review(
        call=call,
        applicant=submission.submitted_by,
        organisation=dossier.organisation,
        dossier=dossier,
        submission=submission,
        manager=manager,
        reviewer=make_reviewer(),
    )
