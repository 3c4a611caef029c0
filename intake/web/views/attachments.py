"""The attachments page of a dossier: upload, download and delete."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from intake.kernel.enums import DossierSection
from intake.kernel.errors import DomainError
from intake.models import Attachment
from intake.selectors import dossiers as selectors
from intake.services import attachments as services
from intake.web.decorators import page_url, with_dossier
from intake.web.errors import attach, report
from intake.web.files import attachment_response
from intake.web.forms.attachments import AttachmentUploadForm
from intake.web.views.dossier import render_section


@require_http_methods(["GET", "POST"])
@with_dossier
def dossier_attachments(request, *, call, organisation, dossier):
    form = AttachmentUploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                attachment = services.attachment_upload(
                    dossier_id=dossier.pk,
                    uploaded_file=form.cleaned_data["file"],
                    kind=form.cleaned_data["kind"],
                    actor=request.user,
                    arrived_at=request.arrived_at,
                )
            except DomainError as exc:
                attach(exc, form)
            else:
                messages.success(request, _("%(name)s uploaded.") % {"name": attachment.original_name})
                return redirect(page_url("dossier_attachments", call, organisation))
        status = 400
    return render_section(
        request,
        "intake/dossier_attachments.html",
        call,
        organisation,
        dossier,
        DossierSection.ATTACHMENTS,
        status=status,
        form=form,
        attachments=selectors.attachments_of(dossier),
        total_size=selectors.attachments_total_size(dossier),
        max_total=call.max_dossier_attachments_mb * 1024 * 1024,
    )


@with_dossier
def dossier_attachment_download(request, pk, *, call, organisation, dossier):
    attachment = selectors.attachment_of(dossier, pk)
    if attachment is None:
        raise Http404
    return attachment_response(attachment)


@require_POST
@with_dossier
def dossier_attachment_delete(request, pk, *, call, organisation, dossier):
    try:
        services.attachment_delete(dossier_id=dossier.pk, attachment_id=pk, actor=request.user, arrived_at=request.arrived_at)
    except Attachment.DoesNotExist:
        raise Http404 from None
    except DomainError as exc:
        report(request, exc)
    else:
        messages.success(request, _("Attachment deleted."))
    return redirect(page_url("dossier_attachments", call, organisation))
