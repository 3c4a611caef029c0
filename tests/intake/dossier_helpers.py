"""Builders for the full-dossier tests: a dossier filled in through the real services
(never by writing rows directly), so that what the tests submit is what an applicant
could have produced.

``complete_dossier`` gives a dossier that dossier_gaps() finds nothing wrong with; the
smaller builders let a test make one part of it differ."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile

from intake.kernel.enums import AttachmentKind, DossierSection, PreRegistrationState
from intake.models import AuditEvent, Dossier, PreRegistration
from intake.rules.files import XLSX
from intake.rules.mandates import MANDATE_CSV_COLUMNS
from intake.services.attachments import attachment_upload
from intake.services.budget import budget_save
from intake.services.dossiers import activities_save, dossier_for, dossier_save_section, kpis_save
from intake.services.mandates import mandate_add, mandates_import_csv
from intake.services.submissions import preregistration_submit
from tests.factories import PreRegistrationFactory
from tests.intake import file_helpers

D = Decimal
BRUSSELS = ZoneInfo("Europe/Brussels")
ONE_MICROSECOND = timedelta(microseconds=1)
# The third call's dossier deadline: "tot en met 11 mei 2026 (12u)".
DOSSIER_DEADLINE = datetime(2026, 5, 11, 12, 0, tzinfo=BRUSSELS)
WHILE_PREREGISTRATION_OPEN = datetime(2026, 1, 12, 10, 0, tzinfo=BRUSSELS)

NETWORK = {
    "theme": "Slimme warmtenetten in Vlaamse bedrijvenzones",
    "priority_fit": "Past in de prioriteit klimaat en energie.",
    "value_chain": "Van installateur tot netbeheerder.",
    "international_orientation": "Samenwerking met Nederlandse clusters.",
    "additionality": "Geen enkel bedrijf kan dit alleen.",
}
GOVERNANCE = {
    "board_composition": "Vijf bestuurders, waarvan drie uit kmo's.",
    "staff_fte": D("2.50"),
    "member_steering": "De algemene vergadering kiest de thema's.",
}
DECLARATIONS = {"declaration_truthful": True, "declaration_data_processing": True}
KPIS = [{"name": "Aantal leden", "unit": "bedrijven", "targets": {1: D("30"), 2: D("40"), 3: D("50")}}]
ACTIVITIES = [{"year": 1, "title": "Opstartworkshop", "description": "Kennismaking van de leden."}]

# Each year: coordination costs 250 000, of which 50 % = 125 000 is the subsidy, matched
# euro for euro by the members, and within the ceiling of 225 000 per year.
BUDGET_YEAR = {
    "staff_costs": D("200000.00"),
    "operating_costs": D("40000.00"),
    "other_costs": D("10000.00"),
    "member_contributions": D("125000.00"),
    "requested_subsidy": D("125000.00"),
}


def budget_years(years: int = 3, **overrides) -> list[dict]:
    return [{"year": number, **BUDGET_YEAR, **overrides} for number in range(1, years + 1)]


def valid_enterprise_number(n: int) -> str:
    """A made-up, valid enterprise number, distinct for every n: 8 digits starting with 0,
    then 97 - (those 8 digits mod 97)."""
    base = f"0{7000000 + n:07d}"
    return f"{base}{97 - int(base) % 97:02d}"


def mandates_csv(count: int, *, start: int = 0, postal_code: str = "9000") -> bytes:
    """A mandates CSV in the documented format with ``count`` valid Flemish enterprises."""
    lines = [";".join(MANDATE_CSV_COLUMNS)]
    for n in range(start, start + count):
        lines.append(f"{valid_enterprise_number(n)};Lid {n} BV;{postal_code};Gent;ja;lid{n}@voorbeeld.example")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def pdf_bytes(text: str = "mandaatbrieven") -> bytes:
    return file_helpers.pdf_bytes(text=text)


def xlsx_bytes(marker: str = "begroting") -> bytes:
    return file_helpers.xlsx_bytes(marker=marker)


def pdf_upload(name: str = "mandaatbrieven.pdf", text: str = "mandaatbrieven") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(text), content_type="application/pdf")


def xlsx_upload(name: str = "begroting.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, xlsx_bytes(), content_type=XLSX)


def submitted_preregistration(call, organisation, user) -> PreRegistration:
    """The organisation's pre-registration for the call, submitted through the service
    (which needs the call's pre-registration phase to be open at that moment)."""
    preregistration = PreRegistration.objects.filter(call=call, organisation=organisation).first()
    if preregistration is None:
        preregistration = PreRegistrationFactory(call=call, organisation=organisation, complete=True)
    if preregistration.state != PreRegistrationState.SUBMITTED:
        preregistration_submit(preregistration_id=preregistration.pk, actor=user)
    preregistration.refresh_from_db()
    return preregistration


def version_of(dossier_id: int, section: str) -> int:
    return Dossier.objects.get(pk=dossier_id).section_version(section)


def save_section(dossier_id: int, section: str, data: dict, user) -> Dossier:
    return dossier_save_section(
        dossier_id=dossier_id, section=section, data=data, expected_version=version_of(dossier_id, section), actor=user
    )


def save_budget(dossier_id: int, years: list[dict], user):
    return budget_save(
        dossier_id=dossier_id, years=years, expected_version=version_of(dossier_id, DossierSection.BUDGET), actor=user
    )


def import_mandates(dossier_id: int, count: int, user, *, start: int = 0):
    report = mandates_import_csv(dossier_id=dossier_id, data=mandates_csv(count, start=start), import_good_rows=False, actor=user)
    assert not report.has_errors, (report.errors, report.file_errors)
    assert report.imported == count
    return report


def complete_dossier(call, organisation, user, *, mandates: int = 30) -> Dossier:
    """A dossier that passes dossier_gaps() without gaps (with ``mandates`` below the call's
    minimum, exactly one mandates gap), built with the real services."""
    submitted_preregistration(call, organisation, user)
    dossier = dossier_for(call=call, organisation=organisation)
    save_section(dossier.pk, DossierSection.NETWORK, NETWORK, user)
    save_section(dossier.pk, DossierSection.GOVERNANCE, GOVERNANCE, user)
    save_section(dossier.pk, DossierSection.DECLARATIONS, DECLARATIONS, user)
    kpis_save(
        dossier_id=dossier.pk,
        kpis=KPIS,
        expected_version=version_of(dossier.pk, DossierSection.OBJECTIVES),
        actor=user,
    )
    activities_save(
        dossier_id=dossier.pk,
        activities=ACTIVITIES,
        expected_version=version_of(dossier.pk, DossierSection.ACTION_PLAN),
        actor=user,
    )
    if mandates:
        import_mandates(dossier.pk, mandates, user)
    save_budget(dossier.pk, budget_years(call.max_duration_years), user)
    attachment_upload(dossier_id=dossier.pk, uploaded_file=xlsx_upload(), kind=AttachmentKind.BUDGET_TEMPLATE, actor=user)
    attachment_upload(dossier_id=dossier.pk, uploaded_file=pdf_upload(), kind=AttachmentKind.MANDATE_LETTERS, actor=user)
    return Dossier.objects.select_related("call", "organisation", "preregistration").get(pk=dossier.pk)


# --- Reading a dossier back, and changing it by the smallest amount ---------------------------


def fresh(dossier) -> Dossier:
    return Dossier.objects.select_related("call", "organisation", "preregistration").get(pk=dossier.pk)


def dossier_events(dossier):
    """The dossier's state changes (other events, such as imports, are about it too)."""
    return (
        AuditEvent.objects.filter(object_type="dossier", object_id=str(dossier.pk), action__startswith="dossier.")
        .exclude(action="dossier.late_attempt")  # a refused attempt is counted, not a state change
        .order_by("pk")
    )


def one_more_character(dossier, user):
    save_section(dossier.pk, DossierSection.NETWORK, {**NETWORK, "theme": NETWORK["theme"] + "."}, user)


def one_cent_more(dossier, user):
    years = budget_years(3)
    years[2]["other_costs"] += D("0.01")
    save_budget(dossier.pk, years, user)


def one_mandate_more(dossier, user):
    mandate_add(
        dossier_id=dossier.pk,
        data={"enterprise_number": valid_enterprise_number(400), "name": "Extra BV", "postal_code": "3000", "is_sme": "ja"},
        actor=user,
    )


def one_attachment_more(dossier, user):
    attachment_upload(
        dossier_id=dossier.pk, uploaded_file=pdf_upload("bijlage.pdf", "extra"), kind=AttachmentKind.OTHER, actor=user
    )


def edit_section(dossier, user):
    save_section(dossier.pk, DossierSection.NETWORK, {**NETWORK, "theme": "Te laat"}, user)


def edit_mandates(dossier, user):
    one_mandate_more(dossier, user)


def edit_budget(dossier, user):
    save_budget(dossier.pk, budget_years(2), user)


def edit_attachments(dossier, user):
    one_attachment_more(dossier, user)
