"""Receipt download (members, reviewers of the call, call managers; audited) and the
public verification page (rate-limited)."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clusterportal import ratelimit
from intake import selectors
from intake.attachments import content_disposition
from intake.audit import audit_record
from intake.forms import ReceiptUploadForm, ReceiptVerifyForm
from intake.receipts import read_receipt_pdf, receipt_verify

VERIFY_LIMIT = 30  # checks per IP per hour: plenty for people, a brake for enumeration
MAX_RECEIPT_UPLOAD = 5 * 1024 * 1024


@login_required
def receipt_download(request, reference):
    from reviews.access import signed_in_with_second_factor

    receipt = selectors.receipt_for_user(
        user=request.user, reference=reference, second_factor=signed_in_with_second_factor(request)
    )
    submission = receipt.submission
    audit_record(
        actor=request.user,
        action="receipt.downloaded",
        obj=receipt,
        call=submission.call,
        organisation=submission.organisation,
        data={"reference": submission.reference},
    )
    response = FileResponse(receipt.pdf.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(f"{submission.reference}.pdf")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
def receipt_verify_page(request):
    form = ReceiptVerifyForm(request.POST if "reference" in request.POST else None, initial=request.GET.dict())
    upload_form = (
        ReceiptUploadForm(request.POST or None, request.FILES or None) if "receipt" in request.FILES else ReceiptUploadForm()
    )
    context = {"form": form, "upload_form": upload_form, "result": None, "reference": ""}
    if request.method == "POST":
        if not ratelimit.hit("receipt-verify", ratelimit.client_ip(request), limit=VERIFY_LIMIT, window_seconds=3600):
            form.is_valid()
            form.add_error(None, _("Too many checks from your address. Try again in an hour."))
            return render(request, "intake/receipt_verify.html", context, status=429)
        found = None
        if "receipt" in request.FILES and upload_form.is_valid():
            upload = upload_form.cleaned_data["receipt"]
            found = read_receipt_pdf(upload.read(MAX_RECEIPT_UPLOAD + 1)) if upload.size <= MAX_RECEIPT_UPLOAD else None
            if found is None:
                upload_form.add_error("receipt", _("This file is not a clusterportal receipt (no embedded snapshot found)."))
        elif form.is_bound and form.is_valid():
            found = (form.cleaned_data["reference"], form.cleaned_data["sha256"])
        if found is not None:
            reference, sha256 = found
            context.update(result=receipt_verify(reference=reference, sha256=sha256), reference=reference.strip().upper())
        else:
            return render(request, "intake/receipt_verify.html", context, status=400)
    return render(request, "intake/receipt_verify.html", context)
