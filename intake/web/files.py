"""Private file responses. These check no rights: the calling view first made sure the
user may see the object (through a scoped selector)."""

from django.http import FileResponse, HttpResponse

from intake.rules.files import content_disposition


def _private(response):
    # The type was decided by content at upload; the browser must not guess another one.
    response["X-Content-Type-Options"] = "nosniff"
    # Applications are confidential: no shared cache, and no copy left on a shared disk.
    response["Cache-Control"] = "private, no-store"
    return response


def attachment_response(attachment) -> FileResponse:
    """Stream a dossier attachment as a download. Raises FileNotFoundError if the stored
    file is missing."""
    handle = attachment.file.storage.open(attachment.file.name, "rb")
    response = FileResponse(handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition(attachment.original_name)
    return _private(response)


def evidence_response(evidence) -> FileResponse:
    """Stream an organisation's evidence (a PDF) as a download."""
    handle = evidence.file.storage.open(evidence.file.name, "rb")
    response = FileResponse(handle, as_attachment=True, filename=evidence.original_name, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(evidence.original_name)
    return _private(response)


def receipt_response(receipt) -> FileResponse:
    response = FileResponse(receipt.pdf.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(f"{receipt.submission.reference}.pdf")
    return _private(response)


def download_response(content: str | bytes, *, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename)
    return _private(response)
