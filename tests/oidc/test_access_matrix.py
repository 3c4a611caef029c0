"""The reviewers' access matrix (tests/reviews/test_access.py) for people who signed in
through the identity providers instead of a password: staff through the agency's single
sign-on (its groups give the roles, its ``amr`` the second factor, or not), the applicant
through the government's identity service with their enterprise in the claim. Every cell
must come out as for a password sign-in (issue 15)."""

import pytest

from tests.oidc.portal import portal_settings, sign_in_existing_user
from tests.reviews.conftest import build_review, private_storage  # noqa: F401 -- the matrix's fixtures, shared
from tests.reviews.test_access import CELLS, check_cell

pytestmark = pytest.mark.django_db


@pytest.fixture
def portal(oidc_provider):
    with portal_settings(oidc_provider, "http://testserver"):
        yield oidc_provider


@pytest.fixture
def review(db):
    return build_review()


@pytest.mark.parametrize(("role", "endpoint"), CELLS, ids=[f"{r}-{e}" for r, e in CELLS])
def test_access_matrix_through_the_providers(client, review, portal, role, endpoint):
    def through_the_provider(client, user, *, second_factor=True):
        sign_in_existing_user(client, portal, user, second_factor=second_factor)

    check_cell(client, review, role, endpoint, through_the_provider)
