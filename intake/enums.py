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
