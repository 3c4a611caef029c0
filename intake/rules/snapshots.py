"""Canonical snapshots of submitted content and their SHA-256.

Canonical means: the same content always gives the same bytes (sorted keys, no
insignificant white space, UTF-8, decimals and instants as strings), so the hash printed
on a receipt can be recomputed by anyone from the embedded JSON. ``dossier_content`` is
also the shape the completeness rules read, live or from a submitted version."""

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from intake.kernel.enums import DossierSection
from intake.kernel.formatting import format_brussels, format_fte, format_number
from intake.models import SECTION_FIELDS, Dossier


def _default(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    raise TypeError(f"not serialisable in a snapshot: {type(value).__name__}")


def canonical_json(data: dict) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_default)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def preregistration_snapshot(preregistration, *, submitted_at, submitted_by, deadline) -> dict:
    org = preregistration.organisation
    priority = preregistration.policy_priority
    return {
        "schema": "clusterportal.preregistration/1",
        "call": {"slug": preregistration.call.slug, "title": preregistration.call.title},
        "organisation": {
            "name": org.name,
            "enterprise_number": org.enterprise_number,
            "legal_form": org.legal_form,
            "postal_code": org.postal_code,
            "verification": org.verification_state,
            "verification_method": org.verification_method,
        },
        "content": {
            "network_name": preregistration.network_name,
            "acronym": preregistration.acronym,
            "policy_priority": {"code": priority.code, "name": priority.name} if priority else None,
            "proposal": preregistration.proposal,
            "target_group": preregistration.target_group,
            "expected_member_count": preregistration.expected_member_count,
            "committed_member_count": preregistration.committed_member_count,
            "planned_activities": preregistration.planned_activities,
            "contact_name": preregistration.contact_name,
            "contact_email": preregistration.contact_email,
            "contact_phone": preregistration.contact_phone,
        },
        "submitted_at": submitted_at,
        "submitted_by": submitted_by.email,
        "deadline": deadline,
    }


def dossier_content(dossier) -> dict:
    """The dossier's content as plain data, in a canonical order: what a submission
    certifies, and what the completeness rules read. Two dossiers with the same content
    give the same dict. A dossier nobody saved yet (no row) has no rows of its own."""

    def rows(related: str, *order, select=()):
        if dossier.pk is None:
            return []
        rows = getattr(dossier, related).order_by(*order)
        return rows.select_related(*select) if select else rows

    return {
        "network": {f: getattr(dossier, f) for f in SECTION_FIELDS[DossierSection.NETWORK]},
        "objectives": [{"name": k.name, "unit": k.unit, "targets": k.targets} for k in rows("kpis", "position", "pk")],
        "action_plan": [
            {"year": a.year, "title": a.title, "description": a.description} for a in rows("activities", "year", "pk")
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
            for m in rows("mandates", "enterprise_number", select=["letter"])
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
            for b in rows("budget_years", "year")
        ],
        "attachments": [
            {"kind": a.kind, "name": a.original_name, "size": a.size, "sha256": a.sha256, "content_type": a.content_type}
            for a in rows("attachments", "sha256", "original_name", "kind", "size")
        ],
        "declarations": {f: getattr(dossier, f) for f in SECTION_FIELDS[DossierSection.DECLARATIONS]},
    }


def dossier_content_sha256(dossier) -> str:
    return sha256_hex(canonical_json(dossier_content(dossier)))


def dossier_snapshot(
    dossier, *, content: dict, mandates_counted: int, submitted_at, submitted_by, deadline, registry: dict | None = None
) -> dict:
    """What a dossier submission certifies: who, for which call, the content and its own
    hash (so an unchanged re-submission is recognised), the count of mandates and the KBO
    extract (number, date, facts per enterprise) they were checked against, if any."""
    preregistration = dossier.preregistration
    return {
        "schema": "clusterportal.dossier/1",
        "call": {"slug": dossier.call.slug, "title": dossier.call.title},
        "organisation": {
            "name": dossier.organisation.name,
            "enterprise_number": dossier.organisation.enterprise_number,
            "verification": dossier.organisation.verification_state,
            "verification_method": dossier.organisation.verification_method,
        },
        "preregistration": preregistration.reference,
        "network_name": preregistration.network_name,
        "acronym": preregistration.acronym,
        "policy_priority": preregistration.policy_priority.name if preregistration.policy_priority else None,
        "content": content,
        "content_sha256": sha256_hex(canonical_json(content)),
        "mandating_enterprises_counted": mandates_counted,
        "registry": registry,
        "submitted_at": submitted_at,
        "submitted_by": submitted_by.email,
        "deadline": deadline,
    }


def snapshot_of(submission) -> dict:
    return json.loads(submission.snapshot)


def verification_at_submission(snapshot: dict) -> str | None:
    """Whether VLAIO had verified the organisation's claim when it submitted (a
    VerificationState value), or None for a snapshot written before the portal recorded it:
    such a snapshot keeps its hash, so it is read as it is, never completed afterwards."""
    return (snapshot.get("organisation") or {}).get("verification")


def verified_through_login(snapshot: dict) -> bool:
    """Whether the verification recorded at submission was a member's sign-in through the
    government's identity service rather than a call manager's decision."""
    return (snapshot.get("organisation") or {}).get("verification_method") == "login"


def certifies_content(submission, content: dict) -> bool:
    """Did this (dossier) submission certify exactly this content?"""
    return snapshot_of(submission).get("content_sha256") == sha256_hex(canonical_json(content))


def has_unsubmitted_changes(content: dict, latest_submission) -> bool:
    """Edits after the last submitted version (``content`` is the live dossier's): they are
    not assessed until submitted again."""
    return latest_submission is not None and not certifies_content(latest_submission, content)


# --- Reading a content back, in the applicant's words ------------------------------------------

# The content key of each text section (what ``dossier_content`` writes).
SECTION_CONTENT_KEYS = {
    DossierSection.NETWORK: "network",
    DossierSection.GOVERNANCE: "governance",
    DossierSection.DECLARATIONS: "declarations",
}
# Values that carry a unit the applicant typed them in.
_FORMATTERS = {"staff_fte": format_fte}


@dataclass(frozen=True)
class Answer:
    field: str
    label: str  # the label of the applicant's form field
    value: str  # as people read it: "2,5 VTE", "ja"; text as typed


def _shown(field: str, value) -> str:
    if value in (None, ""):
        return ""
    if field in _FORMATTERS:
        return _FORMATTERS[field](value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(Dossier._meta.get_field(field), models.DecimalField):
        return format_number(value)
    return str(value)


def section_answers(content: dict, section: str) -> list[Answer]:
    """A text section of a dossier content (live or submitted) as the applicant filled it
    in: the form's labels (the model's verbose names, which the section forms use) in the
    form's order (SECTION_FIELDS), numbers in Belgian notation. A snapshot's JSON has its
    keys sorted, so its own order is alphabetical, not the form's."""
    values = content.get(SECTION_CONTENT_KEYS[section]) or {}
    return [
        Answer(field, capfirst(str(Dossier._meta.get_field(field).verbose_name)), _shown(field, values.get(field)))
        for field in SECTION_FIELDS[section]
    ]


def representation_established(snapshot: dict) -> str | None:
    """How the submitting person's acting for the organisation was established, as one
    sentence for the receipt and the reviewers' checklist: by their sign-in through an
    identity provider (which one, in which role, when it last said so), or None when the
    portal only knows what was declared in it (the verification says the rest) and for a
    snapshot written before the portal recorded it."""
    representation = snapshot.get("representation") or {}
    if representation.get("method") != "login":
        return None
    asserted = representation.get("asserted_at") or ""
    when = datetime.fromisoformat(asserted) if asserted else None
    return _("established by the sign-in of %(person)s through “%(provider)s”, role %(role)s (%(when)s)") % {
        "person": snapshot.get("submitted_by", ""),
        "provider": representation.get("provider_name") or representation.get("provider", ""),
        "role": representation.get("role", ""),
        "when": format_brussels(when) if when else "…",
    }
