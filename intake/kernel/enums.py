"""States and choices of the intake domain. Each state has a staff label (the enum label)
and, where the applicant sees it, a public label."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Phase(models.TextChoices):
    PREREGISTRATION = "preregistration", _("pre-registration")
    DOSSIER = "dossier", _("full dossier")


class PreRegistrationState(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    WITHDRAWN = "withdrawn", _("withdrawn")


# Which pre-registration states unlock the full dossier (DESIGN.md §4).
PREREGISTRATION_UNLOCKING_STATES = (PreRegistrationState.SUBMITTED,)
PREREGISTRATION_EDITABLE_STATES = (PreRegistrationState.DRAFT,)


class PhaseStatus(models.TextChoices):
    """Where a phase stands for one organisation at one instant (computed by deadlines.py)."""

    UPCOMING = "upcoming", _("not open yet")
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")


class Role(models.TextChoices):
    OWNER = "owner", _("owner")
    EDITOR = "editor", _("editor")


class VerificationState(models.TextChoices):
    """Whether a call manager verified that the organisation's people act for it
    (DESIGN.md "Who may act for an organisation"). Nothing waits for it: an unverified
    organisation prepares and submits as a verified one does."""

    UNVERIFIED = "unverified", _("not yet verified by VLAIO")
    VERIFIED = "verified", _("verified by VLAIO")
    REJECTED = "rejected", _("claim rejected by VLAIO")


class VerificationMethod(models.TextChoices):
    AGENCY = "agency", _("a call manager of VLAIO")
    LOGIN = "login", _("a member's sign-in through the government's identity service")


class ClaimKind(models.TextChoices):
    JOIN = "join", _("request to join")
    CONTEST = "contest", _("contested claim")


class ClaimState(models.TextChoices):
    OPEN = "open", _("open")
    # A join request accepted, or a contest decided by adding the claimant as a member.
    ACCEPTED = "accepted", _("accepted: added as member")
    # A contest decided for the claimant: they become the owner, the others editors.
    TRANSFERRED = "transferred", _("ownership transferred")
    # A join request refused, or a contest decided for the current owners.
    REFUSED = "refused", _("refused: the claim is kept")


class LegalForm(models.TextChoices):
    VZW = "vzw", _("vzw (non-profit association)")
    IVZW = "ivzw", _("ivzw (international non-profit association)")
    STICHTING = "stichting", _("stichting (foundation)")
    NV = "nv", _("nv (public limited company)")
    BV = "bv", _("bv (private limited company)")
    CV = "cv", _("cv (cooperative company)")
    COMMV = "commv", _("commv (limited partnership)")
    VOF = "vof", _("vof (general partnership)")
    EESV = "eesv", _("eesv (European economic interest grouping)")
    OTHER = "other", _("other form with legal personality")


class SubmissionKind(models.TextChoices):
    PREREGISTRATION = "preregistration", _("pre-registration")
    DOSSIER = "dossier", _("full dossier")


class DossierState(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    ADMISSIBLE = "admissible", _("admissible")
    INADMISSIBLE = "inadmissible", _("inadmissible")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    WITHDRAWN = "withdrawn", _("withdrawn")


# The applicant may change content only in these states (and only before the deadline);
# a change after a submission is submitted again as a new version.
DOSSIER_EDITABLE_STATES = (DossierState.DRAFT, DossierState.SUBMITTED)
# States in which the agency works on the dossier: the applicant can no longer change it.
DOSSIER_UNDER_REVIEW_STATES = (DossierState.ADMISSIBLE, DossierState.INADMISSIBLE, DossierState.APPROVED, DossierState.REJECTED)
# States in which reviewers score a dossier: submitted, or found admissible, and not decided.
DOSSIER_SCORED_STATES = (DossierState.SUBMITTED, DossierState.ADMISSIBLE)


class DossierSection(models.TextChoices):
    """The sections of the full dossier, in the order the applicant fills them in."""

    NETWORK = "network", _("The network")
    OBJECTIVES = "objectives", _("Objectives and KPIs")
    ACTION_PLAN = "action-plan", _("Action plan")
    GOVERNANCE = "governance", _("Governance")
    MANDATES = "mandates", _("Mandating enterprises")
    BUDGET = "budget", _("Budget")
    ATTACHMENTS = "attachments", _("Attachments")
    DECLARATIONS = "declarations", _("Declarations")


class AttachmentKind(models.TextChoices):
    BUDGET_TEMPLATE = "budget", _("budget template (XLSX or ODS)")
    MANDATE_LETTERS = "mandate-letters", _("mandate letters (PDF)")
    OTHER = "other", _("other supporting document (PDF)")


class ReceiptStatus(models.TextChoices):
    PENDING = "pending", _("being prepared")
    RENDERED = "rendered", _("ready")
    FAILED = "failed", _("failed (retried automatically)")


class OutboxStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    SENDING = "sending", _("being sent")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")
    SKIPPED = "skipped", _("skipped")


class ReminderStatus(models.TextChoices):
    """What the sweep decided. Whether a queued reminder's e-mail went out is its outbox
    message's status (one record of sending, not two to keep in step)."""

    PLANNED = "planned", _("planned")
    QUEUED = "queued", _("queued for sending")
    SKIPPED = "skipped", _("skipped (too late to be useful)")
