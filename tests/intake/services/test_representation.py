"""What a sign-in through an identity provider says about organisations, applied by
intake.services.representation: membership and verification from the login, ended when
the login no longer says so, and left alone where the portal itself added someone."""

import pytest

from intake.kernel.enums import Role, VerificationMethod, VerificationState
from intake.models import AuditEvent, Membership, Organisation
from intake.services.registry import registry_import
from intake.services.representation import Asserted, representation_from_login, representation_of
from tests.concurrency import requires_postgresql, run_together
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
    assert organisation.verification_method == VerificationMethod.LOGIN and membership.login_created


def test_an_organisation_with_an_owner_added_in_the_portal_is_joined_but_left_to_vlaio():
    """The login speaks for the signed-in person only: the first claimant's ownership rests
    on nothing but typing the number, so VLAIO still verifies the organisation."""
    typist = UserFactory()
    organisation = OrganisationFactory(owner=typist, enterprise_number="0403019261")
    representative = UserFactory()

    outcome = _login(representative, "0403019261")

    organisation.refresh_from_db()
    assert outcome.awaiting_agency == [organisation]
    assert organisation.verification_state == VerificationState.UNVERIFIED
    assert set(organisation.members.all()) == {typist, representative}
    assert Membership.objects.get(organisation=organisation, user=typist).login_provider == ""


def test_a_rejection_by_a_call_manager_is_never_overturned_by_a_login():
    organisation = OrganisationFactory(owner=None, enterprise_number="0403019261")
    Organisation.objects.filter(pk=organisation.pk).update(verification_state=VerificationState.REJECTED)

    _login(UserFactory(), "0403019261")

    organisation.refresh_from_db()
    assert organisation.verification_state == VerificationState.REJECTED


def test_a_portal_membership_is_confirmed_by_a_login_and_only_the_confirmation_ends():
    user = UserFactory()
    organisation = OrganisationFactory(owner=user, enterprise_number="0403019261")

    _login(user, "0403019261")
    membership = Membership.objects.get(user=user, organisation=organisation)
    assert (membership.login_provider, membership.login_created) == ("acm", False)
    organisation.refresh_from_db()
    assert organisation.verification_state == VerificationState.VERIFIED  # its only owner signed in
    assert organisation.verification_method == VerificationMethod.LOGIN

    outcome = _login(user)  # the role is gone

    assert outcome.unconfirmed == [organisation] and outcome.ended == []
    membership.refresh_from_db()
    assert (membership.role, membership.login_provider, membership.login_asserted_at) == (Role.OWNER, "", None)
    organisation.refresh_from_db()
    # The verification rested on this person's sign-in: it is taken back, audited.
    assert organisation.verification_state == VerificationState.UNVERIFIED
    assert AuditEvent.objects.filter(organisation=organisation, action="organisation.unverified").exists()
    assert AuditEvent.objects.filter(organisation=organisation, action="membership.assertion_ended").exists()


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
    assert ended.data == {"user": user.email, "provider": "acm", "role": "Aanvrager"}


def test_a_login_that_asserts_nothing_ends_what_it_made_and_nothing_else():
    user = UserFactory()
    invited_to = OrganisationFactory(owner=UserFactory())
    Membership.objects.create(organisation=invited_to, user=user, role=Role.EDITOR)
    _login(user, "0403019261", invited_to.enterprise_number)  # confirms the invitation too

    _login(user)  # the claim is gone

    assert list(Membership.objects.filter(user=user).values_list("organisation", flat=True)) == [invited_to.pk]
    made = Organisation.objects.get(enterprise_number="0403019261")
    assert made.verification_state == VerificationState.UNVERIFIED  # verified by the sign-in, taken back


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


@requires_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_first_sign_ins_for_the_same_enterprise_at_once_make_one_organisation():
    """Two representatives sign in at the same instant: one organisation, two members, no
    error (the second waits for the first's row, or finds it when the insert collides)."""
    first, second = UserFactory(), UserFactory()

    results = run_together(lambda: _login(first, "0403019261"), lambda: _login(second, "0403019261"))

    assert not [r for r in results if isinstance(r, Exception)], results
    organisation = Organisation.objects.get(enterprise_number="0403019261")
    assert set(organisation.members.all()) == {first, second}
