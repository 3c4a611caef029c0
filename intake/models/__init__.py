"""Data of the intake domain, one module per area. State fields are written only by
intake.workflow; time rules live only in intake.deadlines. Everything is importable from
``intake.models``, as Django expects of an app's models."""

from intake.models.audit import AuditEvent
from intake.models.calls import (
    DEFAULT_REMINDER_OFFSETS,
    Call,
    EvaluationCriterion,
    PolicyPriority,
    parse_reminder_offsets,
    validate_reminder_offsets,
)
from intake.models.dossiers import SECTION_FIELDS, Activity, Attachment, BudgetYear, Dossier, Kpi, LiveAttachments, Mandate
from intake.models.messaging import CallFollow, OutboxMessage, Reminder, UserSettings
from intake.models.organisations import Invitation, Membership, Organisation, OrganisationClaim, OrganisationEvidence
from intake.models.preregistrations import PreRegistration
from intake.models.registry import (
    RegistryAddress,
    RegistryCode,
    RegistryDenomination,
    RegistryEnterprise,
    RegistryEstablishment,
    RegistryExtract,
)
from intake.models.submissions import Extension, Receipt, Submission

__all__ = [
    "DEFAULT_REMINDER_OFFSETS",
    "SECTION_FIELDS",
    "Activity",
    "Attachment",
    "AuditEvent",
    "BudgetYear",
    "Call",
    "CallFollow",
    "Dossier",
    "EvaluationCriterion",
    "Extension",
    "Invitation",
    "Kpi",
    "LiveAttachments",
    "Mandate",
    "Membership",
    "Organisation",
    "OrganisationClaim",
    "OrganisationEvidence",
    "OutboxMessage",
    "PolicyPriority",
    "PreRegistration",
    "Receipt",
    "RegistryAddress",
    "RegistryCode",
    "RegistryDenomination",
    "RegistryEnterprise",
    "RegistryEstablishment",
    "RegistryExtract",
    "Reminder",
    "Submission",
    "UserSettings",
    "parse_reminder_offsets",
    "validate_reminder_offsets",
]
