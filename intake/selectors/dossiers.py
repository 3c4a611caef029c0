"""The full dossier as its organisation's members see it. A dossier row is created by the
first save (intake.services.dossiers.dossier_for), never by reading a page: until then
``dossier_of`` gives an unsaved one, and the reads below treat it as empty."""

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Sum
from django.db.models.functions import Coalesce

from intake.kernel.enums import AttachmentKind
from intake.models import Attachment, Dossier, Submission


def dossier_of(*, call, organisation, preregistration) -> Dossier:
    """The organisation's dossier for the call, or an unsaved one when nobody saved yet."""
    dossier = (
        Dossier.objects.filter(call=call, organisation=organisation)
        .select_related("call", "organisation", "preregistration")
        .first()
    )
    return dossier or Dossier(call=call, organisation=organisation, preregistration=preregistration)


def dossier_submissions(dossier):
    if dossier.pk is None:
        return Submission.objects.none()
    return dossier.submissions.select_related("submitted_by", "receipt").order_by("-version")


def submission_version(dossier, version: int) -> Submission | None:
    return dossier_submissions(dossier).filter(version=version).first()


def decision_of(dossier):
    if dossier.pk is None:
        return None
    try:
        return dossier.decision
    except ObjectDoesNotExist:
        return None


def attachments_of(dossier):
    if dossier.pk is None:
        return Attachment.objects.none()
    return dossier.attachments.select_related("uploaded_by")


def attachment_of(dossier, pk: int) -> Attachment | None:
    return attachments_of(dossier).filter(pk=pk).first()


def mandate_letters_of(dossier):
    return attachments_of(dossier).filter(kind=AttachmentKind.MANDATE_LETTERS)


def attachments_total_size(dossier) -> int:
    """Bytes of all attachments of the dossier, in one query."""
    if dossier.pk is None:
        return 0
    return Attachment.objects.filter(dossier=dossier).aggregate(total=Coalesce(Sum("size"), 0))["total"]


def mandates_of(dossier) -> list:
    if dossier.pk is None:
        return []
    return list(dossier.mandates.select_related("letter"))


def mandate_of(dossier, pk: int):
    if dossier.pk is None:
        return None
    return dossier.mandates.filter(pk=pk).first()


def kpis_of(dossier) -> list:
    return [] if dossier.pk is None else list(dossier.kpis.all())


def activities_of(dossier) -> list:
    return [] if dossier.pk is None else list(dossier.activities.all())


def budget_years_of(dossier) -> list:
    return [] if dossier.pk is None else sorted(dossier.budget_years.all(), key=lambda b: b.year)
