"""python manage.py seed_demo — the demo: the closed third call, an open fourth call with
dates relative to now, policy priorities, the decree's criteria and three demo users.

Idempotent: a second run finds everything in place and changes nothing (the fourth
call keeps the dates of the first run). Refused under production settings."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from intake import deadlines
from intake.demo import DEMO_USERS
from intake.kernel.enums import LegalForm, Role
from intake.kernel.formatting import BRUSSELS
from intake.kernel.roles import CALL_MANAGERS, REVIEWERS
from intake.models import Call, EvaluationCriterion, Membership, Organisation, PolicyPriority, PreRegistration
from intake.services.groups import ensure_groups

PRIORITIES = [
    ("klimaat-energie", "Klimaat en energie", "Energietransitie, klimaatneutrale industrie en hernieuwbare energie."),
    (
        "digitale-transformatie",
        "Digitale transformatie en artificiële intelligentie",
        "Data, AI en digitale diensten voor Vlaamse ondernemingen.",
    ),
    ("circulaire-economie", "Circulaire economie", "Materialen, hergebruik en ketensluiting."),
    ("gezondheid-zorg", "Gezondheid en zorg", "Gezondheidstechnologie, zorginnovatie en life sciences."),
    ("industrie-40", "Slimme maakindustrie (Industrie 4.0)", "Productietechnologie, robotica en automatisering."),
    ("agro-voeding", "Agro-voeding", "Duurzame landbouw en voedingsindustrie."),
]

# Art. 11 of the cluster decree: cluster potential and quality; at least 50 % on each.
CRITERIA = [
    ("Clusterpotentieel: competitiviteitswinst", "De verwachte winst in competitiviteit voor de deelnemende ondernemingen."),
    ("Clusterpotentieel: nood en additionaliteit", "De nood aan de cluster en wat hij toevoegt aan bestaande initiatieven."),
    ("Clusterpotentieel: draagvlak", "Het draagvlak bij de ondernemingen, met aandacht voor de betrokkenheid van kmo's."),
    ("Kwaliteit: organisatie en werking", "De organisatie en werking van de cluster(organisatie)."),
    (
        "Kwaliteit: aanpak over het waardenetwerk",
        "De kwaliteit van de aanpak over het volledige waardenetwerk, met marktgerichte activiteiten.",
    ),
]

RULES = (
    "Enkel een organisatie met rechtspersoonlijkheid die gemandateerd is door minstens 30 Vlaamse ondernemingen "
    "kan een aanvraag indienen.\n\n"
    "De steun wordt toegekend voor de clustercoördinatie en bedraagt maximaal 50%. De overige 50% wordt ingebracht "
    "door de ondernemingen die lid zijn van de cluster. Voor elke euro inbreng geeft de Vlaamse overheid een euro steun.\n\n"
    "Innovatieve bedrijfsnetwerken ontvangen maximum € 225.000/jaar over een periode van maximum drie jaar."
)


def weekday_on_or_after(day):
    """Deadlines fall on working days: a Saturday or Sunday moves to the Monday."""
    return day + timedelta(days=max(0, 7 - day.weekday())) if day.weekday() >= 5 else day


def brussels_noon(day) -> datetime:
    """12:00:00 Brussels time on a calendar date: the form every deadline of the call takes."""
    return datetime.combine(day, time(12, 0), tzinfo=BRUSSELS)


class Command(BaseCommand):
    help = "Load the demo calls, priorities, criteria and users (idempotent)."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("seed_demo loads demo users with known passwords: refused under production settings.")
        with transaction.atomic():
            ensure_groups()
            priorities = self._priorities()
            third = self._third_call(priorities)
            fourth = self._fourth_call(priorities)
            users = self._users()
            self._demo_organisation(users["applicant"], fourth)
        self.stdout.write(self.style.SUCCESS("Demo data in place."))
        self.stdout.write(
            f"  {third.title}: closed (pre-registration {third.preregistration_deadline.astimezone(BRUSSELS):%Y-%m-%d %H:%M %Z})."
        )
        self.stdout.write(
            f"  {fourth.title}: pre-registration until {fourth.preregistration_deadline.astimezone(BRUSSELS):%Y-%m-%d %H:%M %Z}."
        )
        self.stdout.write("Demo logins (e-mail / password):")
        for email, password, role in DEMO_USERS:
            self.stdout.write(f"  {role:<9} {email} / {password}")

    def _priorities(self):
        result = []
        for code, name, description in PRIORITIES:
            priority, _created = PolicyPriority.objects.get_or_create(
                code=code, defaults={"name": name, "description": description}
            )
            result.append(priority)
        return result

    def _call(self, slug, defaults, priorities):
        call, created = Call.objects.get_or_create(slug=slug, defaults=defaults)
        if created:
            call.policy_priorities.set(priorities)
            for position, (name, description) in enumerate(CRITERIA, start=1):
                EvaluationCriterion.objects.create(
                    call=call,
                    name=name,
                    description=description,
                    position=position,
                    weight=Decimal("1"),
                    max_score=10,
                    threshold_percent=Decimal("50"),
                )
        return call

    def _common(self):
        return {
            "summary": (
                "Steun voor kleinere bottom-up clusters van Vlaamse ondernemingen rond een thema dat aansluit "
                "bij de Vlaamse beleidsprioriteiten."
            ),
            "rules_text": RULES,
            "min_mandating_enterprises": 30,
            "max_support_rate": Decimal("50.00"),
            "max_subsidy_per_year": Decimal("225000.00"),
            "max_duration_years": 3,
            "contact_phone": "0800 20 555",
            "contact_email": "clusters@vlaio.be",
            "contact_url": "https://www.vlaio.be/nl/vlaio-netwerk/innovatieve-bedrijfsnetwerken",
            "is_published": True,
        }

    def _third_call(self, priorities):
        return self._call(
            "innovatieve-bedrijfsnetwerken-3",
            {
                "title": "Derde oproep innovatieve bedrijfsnetwerken",
                "reference_prefix": "IBN3",
                "opens_at": datetime(2025, 10, 15, 9, 0, tzinfo=BRUSSELS),
                "preregistration_deadline": brussels_noon(date(2026, 1, 23)),
                "dossier_deadline": brussels_noon(date(2026, 5, 11)),
                **self._common(),
            },
            priorities,
        )

    def _fourth_call(self, priorities):
        today = deadlines.clock().astimezone(BRUSSELS).date()
        return self._call(
            "innovatieve-bedrijfsnetwerken-4",
            {
                "title": "Vierde oproep innovatieve bedrijfsnetwerken",
                "reference_prefix": "IBN4",
                "opens_at": datetime.combine(today - timedelta(days=7), time(9, 0), tzinfo=BRUSSELS),
                "preregistration_deadline": brussels_noon(weekday_on_or_after(today + timedelta(days=21))),
                "dossier_deadline": brussels_noon(weekday_on_or_after(today + timedelta(days=120))),
                **self._common(),
            },
            priorities,
        )

    def _users(self):
        User = get_user_model()
        users = {}
        for email, password, role in DEMO_USERS:
            user, created = User.objects.get_or_create(username=email, defaults={"email": email})
            if created:
                user.set_password(password)
                user.is_staff = role == "manager"
                user.save()
                EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
                if role == "manager":
                    user.groups.add(Group.objects.get(name=CALL_MANAGERS))
                if role == "reviewer":
                    user.groups.add(Group.objects.get(name=REVIEWERS))
            users[role] = user
        return users

    def _demo_organisation(self, applicant, call):
        organisation, _created = Organisation.objects.get_or_create(
            enterprise_number="0999999031",
            defaults={
                "name": "Demo Cluster vzw",
                "legal_form": LegalForm.VZW,
                "has_legal_personality": True,
                "street": "Koning Albert II-laan 35",
                "postal_code": "2000",
                "municipality": "Antwerpen",
                "website": "https://democluster.example",
                "contact_name": "An Aanvrager",
                "contact_email": applicant.email,
            },
        )
        Membership.objects.get_or_create(organisation=organisation, user=applicant, defaults={"role": Role.OWNER})
        PreRegistration.objects.get_or_create(
            call=call,
            organisation=organisation,
            defaults={
                "network_name": "Vlaams netwerk voor slimme warmtenetten",
                "acronym": "WARMNET",
                "proposal": "Bedrijven uit de bouw-, installatie- en energiesector werken samen aan warmtenetten.",
                "contact_name": "An Aanvrager",
                "contact_email": applicant.email,
                "updated_by": applicant,
            },
        )
