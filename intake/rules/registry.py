"""What the loaded KBO extract says about an enterprise number, and the call's rules on it:
the applicant must be an active legal person; a mandating enterprise must be active and
established in the Flemish Region. Read-only; the registry is written by
intake.services.registry.

A lookup of any number of enterprises costs four indexed queries, whatever the number
(enterprises, names, establishment units, addresses), so a CSV of 2,000 mandates is
checked as fast as a form of one."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from intake.kernel.validators import format_enterprise_number, is_flemish_postal_code
from intake.models import RegistryAddress, RegistryDenomination, RegistryEnterprise, RegistryEstablishment, RegistryExtract

# code.csv (TypeOfEnterprise): 1 natural person, 2 legal person. Status: AC active.
LEGAL_PERSON = "2"
ACTIVE = "AC"
# TypeOfAddress: REGO the registered seat, BAET an establishment unit's address.
SEAT, ESTABLISHMENT = "REGO", "BAET"
# TypeOfDenomination 001 is the name (maatschappelijke naam); Language 2 is Dutch.
OFFICIAL_NAME, DUTCH = "001", "2"


@dataclass(frozen=True)
class RegisteredAddress:
    entity_number: str
    street: str
    house_number: str
    box: str
    postal_code: str
    municipality: str

    @property
    def is_flemish(self) -> bool:
        return is_flemish_postal_code(self.postal_code)

    def __str__(self):
        number = f"{self.house_number} bus {self.box}" if self.box else self.house_number
        return f"{self.street} {number}, {self.postal_code} {self.municipality}".strip()


@dataclass(frozen=True)
class RegistryFacts:
    """One enterprise number as the loaded extract knows it (``exists`` False: unknown)."""

    enterprise_number: str
    exists: bool = False
    status: str = ""
    type_of_enterprise: str = ""
    juridical_form: str = ""
    name: str = ""
    seat: RegisteredAddress | None = None
    establishments: tuple[RegisteredAddress, ...] = field(default_factory=tuple)

    @property
    def active(self) -> bool:
        return self.exists and self.status == ACTIVE

    @property
    def legal_person(self) -> bool:
        return self.type_of_enterprise == LEGAL_PERSON

    @property
    def flemish_address(self) -> RegisteredAddress | None:
        """The address that makes the enterprise Flemish: an establishment unit's in the
        Flemish Region or, for an enterprise without establishment units, its seat."""
        if self.establishments:
            return next((a for a in self.establishments if a.is_flemish), None)
        return self.seat if self.seat is not None and self.seat.is_flemish else None


def loaded_extract() -> RegistryExtract | None:
    """The extract the portal checks against; None: registry checks are off."""
    return RegistryExtract.objects.order_by("-extract_number").first()


def _address(row: dict) -> RegisteredAddress:
    return RegisteredAddress(
        entity_number=row["entity_number"],
        street=row["street_nl"] or row["street_fr"],
        house_number=row["house_number"],
        box=row["box"],
        postal_code=row["zipcode"],
        municipality=row["municipality_nl"] or row["municipality_fr"],
    )


_ADDRESS_FIELDS = ("entity_number", "type_of_address", "street_nl", "street_fr", "house_number", "box", "zipcode")
_ADDRESS_FIELDS += ("municipality_nl", "municipality_fr")


def registry_facts(numbers) -> dict[str, RegistryFacts]:
    """The facts of each canonical (10-digit) enterprise number, in four queries."""
    numbers = sorted(set(numbers))
    enterprises = {e.enterprise_number: e for e in RegistryEnterprise.objects.filter(enterprise_number__in=numbers)}
    units = defaultdict(list)
    for unit, owner in RegistryEstablishment.objects.filter(enterprise_number__in=list(enterprises)).values_list(
        "establishment_number", "enterprise_number"
    ):
        units[owner].append(unit)
    names = {}
    ranked = RegistryDenomination.objects.filter(entity_number__in=list(enterprises)).values_list(
        "entity_number", "type_of_denomination", "language", "denomination"
    )
    # The official name before commercial names and abbreviations; Dutch before other languages.
    preference = lambda r: (r[0], r[1] != OFFICIAL_NAME, r[2] != DUTCH)  # noqa: E731
    for number, _kind, _language, name in sorted(ranked, key=preference, reverse=True):
        names[number] = name
    owner_of = {unit: owner for owner, owned in units.items() for unit in owned}
    seats, unit_addresses = {}, defaultdict(list)
    rows = RegistryAddress.objects.filter(
        entity_number__in=list(enterprises) + list(owner_of), date_striking_off__isnull=True
    ).values(*_ADDRESS_FIELDS)
    for row in sorted(rows, key=lambda r: (r["entity_number"], r["zipcode"])):
        if row["type_of_address"] == SEAT and row["entity_number"] in enterprises:
            seats[row["entity_number"]] = _address(row)
        elif row["type_of_address"] == ESTABLISHMENT and row["entity_number"] in owner_of:
            unit_addresses[owner_of[row["entity_number"]]].append(_address(row))
    facts = {}
    for number in numbers:
        enterprise = enterprises.get(number)
        if enterprise is None:
            facts[number] = RegistryFacts(number)
            continue
        facts[number] = RegistryFacts(
            enterprise_number=number,
            exists=True,
            status=enterprise.status,
            type_of_enterprise=enterprise.type_of_enterprise,
            juridical_form=enterprise.juridical_form,
            name=names.get(number, ""),
            seat=seats.get(number),
            establishments=tuple(unit_addresses.get(number, ())),
        )
    return facts


def applicant_problems(facts: RegistryFacts) -> list[str]:
    """Why the register does not show an applicant organisation the call admits (codes)."""
    if not facts.exists:
        return ["not_in_registry"]
    problems = []
    if not facts.active:
        problems.append("not_active")
    if not facts.legal_person:
        problems.append("not_legal_person")
    return problems


def mandate_problems(facts: RegistryFacts) -> list[str]:
    """Why the register does not show a mandating enterprise as an active Flemish enterprise."""
    if not facts.exists:
        return ["not_in_registry"]
    problems = []
    if not facts.active:
        problems.append("not_active")
    if facts.flemish_address is None:
        problems.append("not_flemish")
    return problems


def describe(facts: RegistryFacts) -> str:
    """One line for a page or a report: number, registered name."""
    return f"{format_enterprise_number(facts.enterprise_number)} {facts.name}".strip()


def problem_messages(problems: list[str], facts: RegistryFacts) -> list[str]:
    """The translated sentence of each problem code, naming the number."""
    number = format_enterprise_number(facts.enterprise_number)
    messages = {
        "not_in_registry": _("The register (KBO) has no enterprise %(number)s."),
        "not_active": _("The register (KBO) shows enterprise %(number)s as stopped, not active."),
        "not_legal_person": _(
            "The register (KBO) shows %(number)s as a natural person; the call requires an organisation with legal personality."
        ),
        "not_flemish": _("The register (KBO) shows no establishment of %(number)s in the Flemish Region."),
    }
    return [messages[p] % {"number": number} for p in problems]


@dataclass(frozen=True)
class RegistryCheck:
    """The outcome of one number's check against the loaded extract."""

    extract: RegistryExtract
    facts: RegistryFacts
    problems: list[str]

    @property
    def passed(self) -> bool:
        return not self.problems

    @property
    def messages(self) -> list[str]:
        return problem_messages(self.problems, self.facts)


def applicant_check(enterprise_number: str) -> RegistryCheck | None:
    """The applicant organisation's number against the loaded extract; None: checks are off."""
    extract = loaded_extract()
    if extract is None:
        return None
    facts = registry_facts([enterprise_number])[enterprise_number]
    return RegistryCheck(extract, facts, applicant_problems(facts))


def registered_differences(facts: RegistryFacts, *, name: str, street: str, postal_code: str, municipality: str):
    """(what, typed, registered) for each of the organisation's name and seat that differs
    from the register; case and surrounding spaces do not count as a difference."""

    def same(a, b):
        return " ".join((a or "").split()).casefold() == " ".join((b or "").split()).casefold()

    differences = []
    if facts.name and not same(name, facts.name):
        differences.append((_("name"), name, facts.name))
    seat = facts.seat
    if seat is not None:
        typed = f"{street}, {postal_code} {municipality}"
        registered = str(seat)
        if not same(typed, registered):
            differences.append((_("seat"), typed, registered))
    return differences


def registered_prefill(facts: RegistryFacts) -> dict:
    """The organisation form's fields as the register has them (its name and seat)."""
    if not facts.exists:
        return {}
    data = {"enterprise_number": format_enterprise_number(facts.enterprise_number), "name": facts.name}
    if facts.seat is not None:
        seat = facts.seat
        house = f"{seat.house_number} bus {seat.box}" if seat.box else seat.house_number
        data.update(street=f"{seat.street} {house}".strip(), postal_code=seat.postal_code, municipality=seat.municipality)
    return data


def mandate_registry(numbers, *, applicant: str | None = None) -> dict | None:
    """The loaded extract's facts about mandating enterprises (and, with ``applicant``, the
    applicant organisation's number), as plain data: what the count and the checklist
    decide on, stored in the submission snapshot so that the receipt and the reviewers
    read the facts of the day it was submitted. None: checks are off."""
    extract = loaded_extract()
    if extract is None:
        return None
    numbers = list(numbers)
    found = registry_facts([*numbers, applicant] if applicant else numbers)
    result = {"extract_number": extract.extract_number, "snapshot_date": extract.snapshot_date.isoformat()}
    if applicant:
        facts = found[applicant]
        problems = applicant_problems(facts)
        result["applicant"] = {"name": facts.name, "problems": problems, "messages": problem_messages(problems, facts)}
    enterprises = {}
    for number in numbers:
        facts = found[number]
        flemish = facts.flemish_address
        enterprises[number] = {
            "name": facts.name,
            "flemish_address": str(flemish) if flemish else "",
            "problems": mandate_problems(facts),
            "messages": problem_messages(mandate_problems(facts), facts),
        }
    return result | {"enterprises": enterprises}


def registry_checked_label(registry: dict) -> str:
    """ "(checked against KBO extract N of <date>)" of a snapshot's registry facts."""
    snapshot_date = date.fromisoformat(registry["snapshot_date"])
    return _("(checked against KBO extract %(number)d of %(date)s)") % {
        "number": registry["extract_number"],
        "date": date_format(snapshot_date, "j F Y"),
    }
