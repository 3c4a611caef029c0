"""Canonical snapshots of submitted content and their SHA-256.

Canonical means: the same content always gives the same bytes (sorted keys, no
insignificant white space, UTF-8, decimals and instants as strings), so the hash printed
on a receipt can be recomputed by anyone from the embedded JSON."""

import hashlib
import json
from datetime import date, datetime
from decimal import Decimal


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
