"""The full dossier: creation (only after a submitted pre-registration), section saves with
per-section optimistic locking, withdrawal and reopening. Mandates, budget and
attachments have their own modules; all of them change a dossier only through
``dossier_lock_for_edit``. Submitting is intake.services.submissions."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from intake import deadlines
from intake.audit import records_late_attempts
from intake.kernel.enums import DOSSIER_EDITABLE_STATES, DossierSection, DossierState, Phase, PreRegistrationState
from intake.kernel.errors import DomainError, DossierLocked, EditConflict, NotEditable
from intake.models import SECTION_FIELDS, Activity, Dossier, Kpi, PreRegistration
from intake.rules.budget import beyond_duration_message
from intake.workflow import transition


@records_late_attempts
def dossier_for(*, call, organisation, actor=None, arrived_at=None) -> Dossier:
    """The organisation's dossier for the call, created by the first change. Raises
    DossierLocked unless the organisation's pre-registration for the call is submitted, and
    creates nothing once the dossier deadline has passed (DeadlinePassed)."""
    preregistration = PreRegistration.objects.filter(call=call, organisation=organisation).first()
    if preregistration is None or preregistration.state != PreRegistrationState.SUBMITTED:
        raise DossierLocked()
    dossier = Dossier.objects.filter(call=call, organisation=organisation).select_related("call", "organisation").first()
    if dossier is not None:
        return dossier
    deadlines.ensure_open_at(call, Phase.DOSSIER, organisation, deadlines.moment(arrived_at))
    try:
        with transaction.atomic():
            return Dossier.objects.create(call=call, organisation=organisation, preregistration=preregistration)
    except IntegrityError:  # a colleague's first change created it a moment ago
        return Dossier.objects.select_related("call", "organisation").get(call=call, organisation=organisation)


def dossier_lock(*, dossier_id: int) -> Dossier:
    """Lock the dossier row for a change and check that its state allows one: the
    pre-registration is still submitted and the dossier is in an editable state. The
    deadline is the caller's to check (once, with the instant it judges by). Call inside
    a transaction."""
    # The pre-registration row is locked too: its withdrawal (which locks it and then
    # checks the dossier) and a dossier change can then never both succeed.
    dossier = (
        Dossier.objects.select_for_update(of=("self", "preregistration"))
        .select_related("call", "organisation", "preregistration", "preregistration__policy_priority")
        .get(pk=dossier_id)
    )
    if dossier.preregistration.call_id == dossier.call_id:
        dossier.preregistration.call = dossier.call  # the same call: not read a second time
    if dossier.preregistration.state != PreRegistrationState.SUBMITTED:
        raise DossierLocked()
    if dossier.state not in DOSSIER_EDITABLE_STATES:
        raise NotEditable(_("This dossier is %(state)s and can no longer be changed.") % {"state": dossier.get_state_display()})
    return dossier


def dossier_lock_for_edit(*, dossier_id: int, arrived_at=None) -> Dossier:
    """``dossier_lock``, and the deadline that applies to the organisation had not passed
    when the request arrived (``arrived_at``; the clock without one)."""
    dossier = dossier_lock(dossier_id=dossier_id)
    deadlines.ensure_open_at(dossier.call, Phase.DOSSIER, dossier.organisation, deadlines.moment(arrived_at), subject=dossier)
    return dossier


def check_section_version(dossier: Dossier, section: str, expected_version: int) -> None:
    if dossier.section_version(section) != expected_version:
        raise EditConflict(saved_by=dossier.updated_by, saved_at=dossier.updated_at)


def bump_section_version(dossier: Dossier, section: str, actor) -> None:
    """Record that ``section`` changed (the caller holds the row lock)."""
    dossier.section_versions = {**dossier.section_versions, section: dossier.section_version(section) + 1}
    dossier.updated_by = actor
    dossier.save(update_fields=["section_versions", "updated_by", "updated_at"])


@records_late_attempts
def dossier_save_section(*, dossier_id: int, section: str, data: dict, expected_version: int, actor, arrived_at=None) -> Dossier:
    """Save one of the form sections (network, governance, declarations)."""
    fields = SECTION_FIELDS[section]
    with transaction.atomic():
        dossier = dossier_lock_for_edit(dossier_id=dossier_id, arrived_at=arrived_at)
        check_section_version(dossier, section, expected_version)
        for field in fields:
            if field in data:
                setattr(dossier, field, data[field])
        dossier.save(update_fields=list(fields))
        bump_section_version(dossier, section, actor)
    return dossier


@records_late_attempts
def kpis_save(*, dossier_id: int, kpis: list[dict], expected_version: int, actor, arrived_at=None) -> None:
    """Replace the dossier's KPIs (section 2). Each dict: name, unit, targets {year: Decimal}."""
    with transaction.atomic():
        dossier = dossier_lock_for_edit(dossier_id=dossier_id, arrived_at=arrived_at)
        check_section_version(dossier, DossierSection.OBJECTIVES, expected_version)
        _refuse_years_beyond_duration(dossier, {int(y) for kpi in kpis for y in kpi["targets"]})
        dossier.kpis.all().delete()
        Kpi.objects.bulk_create(
            Kpi(
                dossier=dossier,
                position=position,
                name=kpi["name"],
                unit=kpi.get("unit", ""),
                targets={str(year): format(value, "f") for year, value in sorted(kpi["targets"].items()) if value is not None},
            )
            for position, kpi in enumerate(kpis)
        )
        bump_section_version(dossier, DossierSection.OBJECTIVES, actor)


@records_late_attempts
def activities_save(*, dossier_id: int, activities: list[dict], expected_version: int, actor, arrived_at=None) -> None:
    """Replace the dossier's action plan (section 3). Each dict: year, title, description."""
    with transaction.atomic():
        dossier = dossier_lock_for_edit(dossier_id=dossier_id, arrived_at=arrived_at)
        check_section_version(dossier, DossierSection.ACTION_PLAN, expected_version)
        _refuse_years_beyond_duration(dossier, {a["year"] for a in activities})
        dossier.activities.all().delete()
        Activity.objects.bulk_create(
            Activity(dossier=dossier, year=a["year"], title=a["title"], description=a.get("description", "")) for a in activities
        )
        bump_section_version(dossier, DossierSection.ACTION_PLAN, actor)


def _refuse_years_beyond_duration(dossier, years: set[int]) -> None:
    limit = dossier.call.max_duration_years
    beyond = sorted(y for y in years if y < 1 or y > limit)
    if beyond:
        raise DomainError(beyond_duration_message(limit, beyond[0]))


@records_late_attempts
def dossier_withdraw(*, dossier_id: int, actor, note: str = "", arrived_at=None):
    with transaction.atomic(durable=True):
        dossier = Dossier.objects.select_for_update(of=("self",)).select_related("call", "organisation").get(pk=dossier_id)
        deadlines.ensure_open_at(dossier.call, Phase.DOSSIER, dossier.organisation, deadlines.moment(arrived_at), subject=dossier)
        return transition(dossier, DossierState.WITHDRAWN, actor=actor, note=note)


@records_late_attempts
def dossier_reopen(*, dossier_id: int, actor, arrived_at=None):
    with transaction.atomic(durable=True):
        dossier = Dossier.objects.select_for_update(of=("self",)).select_related("call", "organisation").get(pk=dossier_id)
        deadlines.ensure_open_at(dossier.call, Phase.DOSSIER, dossier.organisation, deadlines.moment(arrived_at), subject=dossier)
        return transition(dossier, DossierState.DRAFT, actor=actor)
