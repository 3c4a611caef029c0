"""Services of the full dossier: creation (only after a submitted pre-registration),
section saves with per-section optimistic locking, completeness, submission of immutable
numbered versions. Mandates, budget and attachments have their own modules; all of them
change a dossier only through ``dossier_lock_for_edit``."""

import json
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from intake import deadlines
from intake.enums import DOSSIER_EDITABLE_STATES, DossierSection, DossierState, Phase, PreRegistrationState
from intake.errors import DomainError, DossierLocked, EditConflict, NotEditable
from intake.models import Dossier, PreRegistration

# The text fields of each form section (the other sections have their own rows).
SECTION_FIELDS = {
    DossierSection.NETWORK: ("theme", "priority_fit", "value_chain", "international_orientation", "additionality"),
    DossierSection.GOVERNANCE: ("board_composition", "staff_fte", "member_steering"),
    DossierSection.DECLARATIONS: ("declaration_truthful", "declaration_data_processing"),
}


def dossier_for(*, call, organisation) -> Dossier:
    """The organisation's dossier for the call, created on first use. Raises DossierLocked
    unless the organisation's pre-registration for the call is submitted."""
    preregistration = PreRegistration.objects.filter(call=call, organisation=organisation).first()
    if preregistration is None or preregistration.state != PreRegistrationState.SUBMITTED:
        raise DossierLocked()
    dossier = Dossier.objects.filter(call=call, organisation=organisation).select_related("call", "organisation").first()
    if dossier is not None:
        return dossier
    try:
        with transaction.atomic():
            return Dossier.objects.create(call=call, organisation=organisation, preregistration=preregistration)
    except IntegrityError:  # a colleague's first visit created it a moment ago
        return Dossier.objects.select_related("call", "organisation").get(call=call, organisation=organisation)


def dossier_editable(dossier, *, now=None) -> bool:
    return (
        dossier.state in DOSSIER_EDITABLE_STATES
        and dossier.preregistration.state == PreRegistrationState.SUBMITTED
        and deadlines.is_open(dossier.call, Phase.DOSSIER, dossier.organisation, now=now)
    )


def dossier_lock_for_edit(*, dossier_id: int) -> Dossier:
    """Lock the dossier row for a change and check that a change is allowed now: the
    pre-registration is still submitted, the dossier is in an editable state and the
    deadline that applies to the organisation has not passed. Call inside a transaction."""
    # The pre-registration row is locked too: its withdrawal (which locks it and then
    # checks the dossier) and a dossier change can then never both succeed.
    dossier = (
        Dossier.objects.select_for_update(of=("self", "preregistration"))
        .select_related("call", "organisation", "preregistration", "preregistration__policy_priority")
        .get(pk=dossier_id)
    )
    if dossier.preregistration.state != PreRegistrationState.SUBMITTED:
        raise DossierLocked()
    if dossier.state not in DOSSIER_EDITABLE_STATES:
        raise NotEditable(_("This dossier is %(state)s and can no longer be changed.") % {"state": dossier.get_state_display()})
    deadlines.ensure_open(dossier.call, Phase.DOSSIER, dossier.organisation, now=deadlines.clock())
    return dossier


def check_section_version(dossier: Dossier, section: str, expected_version: int) -> None:
    if dossier.section_version(section) != expected_version:
        raise EditConflict(saved_by=dossier.updated_by, saved_at=dossier.updated_at)


def bump_section_version(dossier: Dossier, section: str, actor) -> None:
    """Record that ``section`` changed (the caller holds the row lock)."""
    dossier.section_versions = {**dossier.section_versions, section: dossier.section_version(section) + 1}
    dossier.updated_by = actor
    dossier.save(update_fields=["section_versions", "updated_by", "updated_at"])


def dossier_save_section(*, dossier_id: int, section: str, data: dict, expected_version: int, actor) -> Dossier:
    """Save one of the form sections (network, governance, declarations)."""
    fields = SECTION_FIELDS[section]
    with transaction.atomic():
        dossier = dossier_lock_for_edit(dossier_id=dossier_id)
        check_section_version(dossier, section, expected_version)
        for field in fields:
            if field in data:
                setattr(dossier, field, data[field])
        dossier.save(update_fields=list(fields))
        bump_section_version(dossier, section, actor)
    return dossier


@dataclass(frozen=True)
class Gap:
    """Something the dossier still lacks before it can be submitted, and where to fix it."""

    section: str
    message: str


_REQUIRED_TEXT = {
    DossierSection.NETWORK: SECTION_FIELDS[DossierSection.NETWORK],
    DossierSection.GOVERNANCE: ("board_composition", "member_steering"),
}


def kpis_save(*, dossier_id: int, kpis: list[dict], expected_version: int, actor) -> None:
    """Replace the dossier's KPIs (section 2). Each dict: name, unit, targets {year: Decimal}."""
    from intake.models import Kpi

    with transaction.atomic():
        dossier = dossier_lock_for_edit(dossier_id=dossier_id)
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


def activities_save(*, dossier_id: int, activities: list[dict], expected_version: int, actor) -> None:
    """Replace the dossier's action plan (section 3). Each dict: year, title, description."""
    from intake.models import Activity

    with transaction.atomic():
        dossier = dossier_lock_for_edit(dossier_id=dossier_id)
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
        raise DomainError(
            _("This call lasts at most %(limit)d years; year %(year)d is outside that.") % {"limit": limit, "year": beyond[0]}
        )


# --- Completeness -------------------------------------------------------------------------


def dossier_gaps(dossier) -> list[Gap]:
    """Everything that still stands between the dossier and a valid submission, per
    section, in section order. Empty means it can be submitted (deadline aside)."""
    from intake.budget import budget_violations
    from intake.enums import AttachmentKind
    from intake.mandates import mandate_count

    gaps: list[Gap] = []
    for section, fields in _REQUIRED_TEXT.items():
        for field in fields:
            if getattr(dossier, field) in (None, ""):
                label = dossier._meta.get_field(field).verbose_name
                gaps.append(Gap(section, _("Fill in “%(field)s”.") % {"field": label}))
    if dossier.staff_fte is None:
        gaps.append(Gap(DossierSection.GOVERNANCE, _("Fill in the staff of the cluster organisation (FTE).")))
    if not any(kpi.targets for kpi in dossier.kpis.all()):
        gaps.append(Gap(DossierSection.OBJECTIVES, _("Add at least one KPI with a target.")))
    if not dossier.activities.exists():
        gaps.append(Gap(DossierSection.ACTION_PLAN, _("Add at least one activity to the action plan.")))

    count = mandate_count(dossier)
    if not count.is_enough:
        gaps.append(
            Gap(
                DossierSection.MANDATES,
                _("%(counted)d valid, distinct Flemish mandating enterprises; this call requires at least %(minimum)d.")
                % {"counted": count.counted, "minimum": count.minimum},
            )
        )

    years = list(dossier.budget_years.all())
    if not years:
        gaps.append(Gap(DossierSection.BUDGET, _("Fill in the budget for at least one year.")))
    gaps.extend(Gap(DossierSection.BUDGET, str(result.message)) for result in budget_violations(dossier.call, years))

    kinds = set(dossier.attachments.values_list("kind", flat=True))
    if AttachmentKind.BUDGET_TEMPLATE not in kinds:
        gaps.append(Gap(DossierSection.ATTACHMENTS, _("Attach the budget template (XLSX or ODS).")))
    letters_missing = dossier.mandates.filter(letter__isnull=True).exists()
    if AttachmentKind.MANDATE_LETTERS not in kinds and (letters_missing or not dossier.mandates.exists()):
        gaps.append(Gap(DossierSection.ATTACHMENTS, _("Attach the mandate letters: one PDF per enterprise or one combined PDF.")))

    if not (dossier.declaration_truthful and dossier.declaration_data_processing):
        gaps.append(Gap(DossierSection.DECLARATIONS, _("Tick both declarations.")))
    return gaps


def gaps_by_section(gaps: list[Gap]) -> dict[str, list[Gap]]:
    result = {section: [] for section in DossierSection.values}
    for gap in gaps:
        result[gap.section].append(gap)
    return result


# --- Snapshot and submission --------------------------------------------------------------


def dossier_content(dossier) -> dict:
    """The dossier's content as plain data, in a canonical order: what a submission
    certifies. Two dossiers with the same content give the same dict."""
    mandates = dossier.mandates.order_by("enterprise_number").select_related("letter")
    return {
        "network": {f: getattr(dossier, f) for f in SECTION_FIELDS[DossierSection.NETWORK]},
        "objectives": [{"name": k.name, "unit": k.unit, "targets": k.targets} for k in dossier.kpis.order_by("position", "pk")],
        "action_plan": [
            {"year": a.year, "title": a.title, "description": a.description} for a in dossier.activities.order_by("year", "pk")
        ],
        "governance": {f: getattr(dossier, f) for f in SECTION_FIELDS[DossierSection.GOVERNANCE]},
        "mandates": [
            {
                "enterprise_number": m.enterprise_number,
                "name": m.name,
                "postal_code": m.postal_code,
                "municipality": m.municipality,
                "sme": m.is_sme,
                "contact_email": m.contact_email,
                "letter_sha256": m.letter.sha256 if m.letter else None,
            }
            for m in mandates
        ],
        "budget": [
            {
                "year": b.year,
                "staff_costs": b.staff_costs,
                "operating_costs": b.operating_costs,
                "other_costs": b.other_costs,
                "member_contributions": b.member_contributions,
                "requested_subsidy": b.requested_subsidy,
            }
            for b in dossier.budget_years.order_by("year")
        ],
        "attachments": [
            {"kind": a.kind, "name": a.original_name, "size": a.size, "sha256": a.sha256, "content_type": a.content_type}
            for a in dossier.attachments.order_by("sha256", "original_name", "kind", "size")
        ],
        "declarations": {f: getattr(dossier, f) for f in SECTION_FIELDS[DossierSection.DECLARATIONS]},
    }


def dossier_content_sha256(dossier) -> str:
    from intake.snapshots import canonical_json, sha256_hex

    return sha256_hex(canonical_json(dossier_content(dossier)))


def dossier_submit(*, dossier_id: int, actor):
    from intake.errors import DeadlinePassed

    try:
        return _dossier_submit(dossier_id=dossier_id, actor=actor)
    except DeadlinePassed as exc:
        from intake.audit import late_attempt_record

        dossier = Dossier.objects.select_related("call", "organisation").get(pk=dossier_id)
        late_attempt_record(
            actor=actor, obj=dossier, call=dossier.call, organisation=dossier.organisation, phase="dossier", deadline=exc.deadline
        )
        raise


def _dossier_submit(*, dossier_id: int, actor):
    """Submit the dossier as a new immutable version. The whole dossier is checked on the
    server; on failure DossierIncomplete lists the gaps and nothing changes."""
    from django.utils import translation

    from intake.enums import SubmissionKind
    from intake.errors import AlreadySubmitted, DossierIncomplete
    from intake.mandates import mandate_count
    from intake.models import Receipt, Submission
    from intake.snapshots import canonical_json, sha256_hex
    from intake.tasks import receipt_render
    from intake.workflow import dossier_transition

    with transaction.atomic(durable=True):
        dossier = dossier_lock_for_edit(dossier_id=dossier_id)
        gaps = dossier_gaps(dossier)
        if gaps:
            raise DossierIncomplete(gaps)
        content = dossier_content(dossier)
        content_sha256 = sha256_hex(canonical_json(content))
        latest = dossier.submissions.order_by("-version").first()
        if latest is not None and json.loads(latest.snapshot).get("content_sha256") == content_sha256:
            # Nothing changed since the last version (a double click, a second tab): no
            # second version, receipt and e-mail for the same content.
            raise AlreadySubmitted(latest)
        # The instant recorded is read last, after the lock and the checks: a request
        # that began before the deadline but records after it is late.
        now = deadlines.clock()
        applied = deadlines.ensure_open(dossier.call, Phase.DOSSIER, dossier.organisation, now=now)

        version = (latest.version if latest else 0) + 1
        preregistration = dossier.preregistration
        reference = f"{dossier.call.reference_prefix}-DS-{preregistration.number:04d}-{version}"
        count = mandate_count(dossier)
        snapshot = canonical_json(
            {
                "schema": "clusterportal.dossier/1",
                "reference": reference,
                "version": version,
                "call": {"slug": dossier.call.slug, "title": dossier.call.title},
                "organisation": {
                    "name": dossier.organisation.name,
                    "enterprise_number": dossier.organisation.enterprise_number,
                },
                "preregistration": preregistration.reference,
                "network_name": preregistration.network_name,
                "acronym": preregistration.acronym,
                "policy_priority": preregistration.policy_priority.name if preregistration.policy_priority else None,
                "content": content,
                "content_sha256": content_sha256,
                "mandating_enterprises_counted": count.counted,
                "submitted_at": now,
                "submitted_by": actor.email,
                "deadline": applied.deadline,
            }
        )
        submission = Submission.objects.create(
            kind=SubmissionKind.DOSSIER,
            reference=reference,
            call=dossier.call,
            organisation=dossier.organisation,
            preregistration=preregistration,
            dossier=dossier,
            version=version,
            snapshot=snapshot,
            snapshot_sha256=sha256_hex(snapshot),
            submitted_at=now,
            submitted_by=actor,
            deadline=applied.deadline,
            extension=applied.extension,
            language=(translation.get_language() or "nl")[:2],
        )
        dossier_transition(
            dossier, DossierState.SUBMITTED, actor=actor, data={"reference": reference, "sha256": submission.snapshot_sha256}
        )
        # The receipt row exists from the start (pending), so a receipt whose task never
        # reached a worker is visible in the admin and picked up again by beat.
        Receipt.objects.create(submission=submission)
        # robust: the submission is recorded; if the broker is down, beat queues it later.
        transaction.on_commit(lambda: receipt_render.delay(submission_id=submission.pk), robust=True)
    return submission


def dossier_withdraw(*, dossier_id: int, actor, note: str = ""):
    from intake.workflow import dossier_transition

    with transaction.atomic(durable=True):
        dossier = Dossier.objects.select_for_update(of=("self",)).select_related("call", "organisation").get(pk=dossier_id)
        deadlines.ensure_open(dossier.call, Phase.DOSSIER, dossier.organisation, now=deadlines.clock())
        return dossier_transition(dossier, DossierState.WITHDRAWN, actor=actor, note=note)


def dossier_reopen(*, dossier_id: int, actor):
    from intake.workflow import dossier_transition

    with transaction.atomic(durable=True):
        dossier = Dossier.objects.select_for_update(of=("self",)).select_related("call", "organisation").get(pk=dossier_id)
        deadlines.ensure_open(dossier.call, Phase.DOSSIER, dossier.organisation, now=deadlines.clock())
        return dossier_transition(dossier, DossierState.DRAFT, actor=actor)
