"""What a sign-in through an identity provider says about organisations, applied by
intake.services.representation: membership and verification from the login, ended when
the login no longer says so, and left alone where the portal itself added someone."""

import pytest

from intake.kernel.enums import Role, VerificationState
from intake.models import AuditEvent, Membership, Organisation
from intake.services.registry import registry_import
from intake.services.representation import Asserted, representation_from_login, representation_of
from tests.factories import OrganisationFactory, UserFactory
from tests.intake import registry_helpers as kbo

pytestmark = pytest.mark.django_db

ACM = {"provider": "acm", "provider_name": "Aanmelden bij de Vlaamse overheid"}


def _login(user, *numbers, role="Aanvrager", subject="acm-sub-1"):
    asserted = [Asserted(enterprise_number=number, role=role) for number in numbers]
    return representation_from_login(user=user, subject=subject, asserted=asserted, **ACM)


def test_an_asserted_enterprise_makes_a_verified_owner_of_a_new_organisation():
    user = UserFactory(first_name="An", last_name="Peeters")
    outcome = _login(user, "0403019261")

    organisation = Organisation.objects.get(enterprise_number="0403019261")
    assert outcome.joined == [organisation]
    membership = Membership.objects.get(organisation=organisation, user=user)
    assert (membership.role, membership.login_provider, membership.login_subject, membership.login_role) == (
        Role.OWNER,
        "acm",
        "acm-sub-1",
        "Aanvrager",
    )
    assert membership.login_asserted_at is not None
    assert organisation.verification_state == VerificationState.VERIFIED
    assert organisation.verified_by == user and "Aanmelden bij de Vlaamse overheid" in organisation.verification_note
    assert organisation.contact_email == user.email and organisation.contact_name == "An Peeters"
    actions = list(AuditEvent.objects.filter(organisation=organisation).values_list("action", flat=True).order_by("pk"))
    assert actions == ["organisation.created", "membership.asserted", "organisation.verified_by_login"]


def test_an_existing_unverified_organisation_is_joined_and_verified_by_the_login():
    typist = UserFactory()
    organisation = OrganisationFactory(owner=typist, enterprise_number="0403019261")
    assert organisation.verification_state == VerificationState.UNVERIFIED
    representative = UserFactory()

    _login(representative, "0403019261")

    organisation.refresh_from_db()
    assert organisation.verification_state == VerificationState.VERIFIED
    assert set(organisation.members.all()) == {typist, representative}
    # The first claimant was added in the portal: the login speaks only for itself.
    assert Membership.objects.get(organisation=organisation, user=typist).login_provider == ""


def test_the_same_login_again_changes_nothing_but_the_moment():
    user = UserFactory()
    _login(user, "0403019261")
    first = Membership.objects.get(user=user).login_asserted_at
    events = AuditEvent.objects.count()

    outcome = _login(user, "0403019261")

    assert outcome.joined == [] and len(outcome.kept) == 1 and outcome.ended == []
    assert AuditEvent.objects.count() == events
    assert Membership.objects.get(user=user).login_asserted_at >= first


def test_a_role_the_login_no_longer_asserts_ends_the_membership_audited():
    user = UserFactory()
    _login(user, "0403019261", "0202239951")

    outcome = _login(user, "0202239951")

    assert [o.enterprise_number for o in outcome.ended] == ["0403019261"]
    assert list(Membership.objects.filter(user=user).values_list("organisation__enterprise_number", flat=True)) == ["0202239951"]
    ended = AuditEvent.objects.get(action="membership.ended")
    assert ended.organisation.enterprise_number == "0403019261"
    assert ended.data == {"user": user.email, "provider": "acm", "subject": "acm-sub-1", "role": "Aanvrager"}


def test_a_login_that_asserts_nothing_ends_what_it_asserted_and_nothing_else():
    user = UserFactory()
    invited_to = OrganisationFactory(owner=UserFactory())
    Membership.objects.create(organisation=invited_to, user=user, role=Role.EDITOR)
    _login(user, "0403019261")

    _login(user)  # the claim is gone

    assert list(Membership.objects.filter(user=user).values_list("organisation", flat=True)) == [invited_to.pk]


def test_a_person_without_any_asserted_enterprise_stays_an_ordinary_user():
    user = UserFactory()
    outcome = _login(user)
    assert (outcome.joined, outcome.ended) == ([], [])
    assert not Membership.objects.filter(user=user).exists()
    assert representation_of(0, user) == {"method": "portal"}


def test_with_a_registry_the_organisation_takes_its_facts_and_a_natural_person_is_refused(tmp_path):
    registry_import(path=kbo.full_zip(tmp_path))
    user = UserFactory()

    outcome = _login(user, kbo.canonical(kbo.LEGAL), kbo.canonical(kbo.NATURAL))

    organisation = Organisation.objects.get(enterprise_number=kbo.canonical(kbo.LEGAL))
    assert (organisation.name, organisation.street, organisation.postal_code, organisation.municipality) == (
        "Cluster Vlaanderen",
        "Meir 1",
        "2000",
        "Antwerpen",
    )
    assert organisation.has_legal_personality
    assert [number for number, _problems in outcome.refused] == [kbo.canonical(kbo.NATURAL)]
    assert not Organisation.objects.filter(enterprise_number=kbo.canonical(kbo.NATURAL)).exists()


def test_representation_of_a_login_member_names_the_provider_and_role(settings):
    user = UserFactory()
    _login(user, "0403019261")
    organisation = Organisation.objects.get(enterprise_number="0403019261")

    found = representation_of(organisation.pk, user)

    assert found["method"] == "login" and found["provider"] == "acm" and found["role"] == "Aanvrager"
    assert found["asserted_at"] is not None
