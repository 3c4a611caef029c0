"""factory-boy factories for the domain. Deadlines default to an open call around now."""

from datetime import timedelta
from decimal import Decimal

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.utils import timezone

from intake.kernel.enums import LegalForm, Role
from intake.models import Call, EvaluationCriterion, Membership, Organisation, PolicyPriority, PreRegistration

# Every factory user's password: tests sign in with it.
PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    username = factory.LazyAttribute(lambda o: o.email)
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.get_or_create(user=obj, email=obj.email, defaults={"verified": True, "primary": True})


class PolicyPriorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PolicyPriority
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"priority-{n}")
    name = factory.Sequence(lambda n: f"Beleidsprioriteit {n}")


class CallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Call
        skip_postgeneration_save = True

    class Params:
        start = factory.LazyFunction(timezone.now)

    slug = factory.Sequence(lambda n: f"oproep-{n}")
    title = factory.Sequence(lambda n: f"Oproep {n}")
    reference_prefix = factory.Sequence(lambda n: f"T{n}")
    opens_at = factory.LazyAttribute(lambda o: o.start - timedelta(days=10))
    preregistration_deadline = factory.LazyAttribute(lambda o: o.start + timedelta(days=10))
    dossier_deadline = factory.LazyAttribute(lambda o: o.start + timedelta(days=100))
    min_mandating_enterprises = 30
    max_support_rate = Decimal("50.00")
    max_subsidy_per_year = Decimal("225000.00")
    max_duration_years = 3
    proposal_max_chars = 2000
    is_published = True

    @factory.post_generation
    def priorities(obj, create, extracted, **kwargs):
        if not create:
            return
        obj.policy_priorities.set(extracted if extracted is not None else [PolicyPriorityFactory()])


class EvaluationCriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EvaluationCriterion

    call = factory.SubFactory(CallFactory)
    name = factory.Sequence(lambda n: f"Criterium {n}")


def _valid_enterprise_number(n: int) -> str:
    base = f"0{2000000 + n % 8000000:07d}"  # 0200.000.000 and up: the register issues no lower number
    return f"{base}{97 - int(base) % 97:02d}"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Cluster {n} vzw")
    enterprise_number = factory.Sequence(_valid_enterprise_number)
    legal_form = LegalForm.VZW
    has_legal_personality = True
    street = "Koning Albert II-laan 35"
    postal_code = "2000"
    municipality = "Antwerpen"
    contact_name = "Contact Persoon"
    contact_email = "contact@example.org"

    @factory.post_generation
    def owner(obj, create, extracted, **kwargs):
        """OrganisationFactory(owner=user) makes ``user`` its owner."""
        if create and extracted is not None:
            Membership.objects.create(organisation=obj, user=extracted, role=Role.OWNER)


def complete_preregistration_data(call) -> dict:
    """Content that makes a pre-registration complete enough to submit."""
    return {
        "network_name": "Netwerk voor slimme warmte",
        "acronym": "WARM",
        "policy_priority": call.policy_priorities.first(),
        "proposal": "Een beknopt projectvoorstel.",
        "target_group": "Installateurs en producenten",
        "expected_member_count": 40,
        "committed_member_count": 12,
        "planned_activities": "Workshops, matchmaking, demonstraties.",
        "contact_name": "An Aanvrager",
        "contact_email": "an@example.org",
        "contact_phone": "",
    }


class PreRegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PreRegistration

    call = factory.SubFactory(CallFactory)
    organisation = factory.SubFactory(OrganisationFactory)

    class Params:
        complete = factory.Trait(
            network_name="Netwerk voor slimme warmte",
            acronym="WARM",
            policy_priority=factory.LazyAttribute(lambda o: o.call.policy_priorities.first()),
            proposal="Een beknopt projectvoorstel.",
            target_group="Installateurs en producenten",
            expected_member_count=40,
            committed_member_count=12,
            planned_activities="Workshops, matchmaking, demonstraties.",
            contact_name="An Aanvrager",
            contact_email="an@example.org",
        )
