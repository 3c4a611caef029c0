"""The public verification page: anyone can check a reference and hash (or a receipt PDF)
against what the portal holds, without seeing any content. Rate-limited per address.
The download of a receipt is reviews.views.receipt_download: its scope includes staff."""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clusterportal import ratelimit
from intake.messaging.receipts import read_receipt_pdf
from intake.selectors.receipts import submission_matches
from intake.web.forms.receipts import ReceiptUploadForm, ReceiptVerifyForm

VERIFY_LIMIT = 30  # checks per IP per hour: plenty for people, a brake for enumeration
MAX_RECEIPT_UPLOAD = 5 * 1024 * 1024


@require_http_methods(["GET", "POST"])
def receipt_verify_page(request):
    form = ReceiptVerifyForm(request.POST if "reference" in request.POST else None, initial=request.GET.dict())
    upload_form = (
        ReceiptUploadForm(request.POST or None, request.FILES or None) if "receipt" in request.FILES else ReceiptUploadForm()
    )
    context = {"form": form, "upload_form": upload_form, "result": None, "reference": ""}
    if request.method != "POST":
        return render(request, "intake/receipt_verify.html", context)
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
    if found is None:
        return render(request, "intake/receipt_verify.html", context, status=400)
    reference, sha256 = found
    context.update(result=submission_matches(reference=reference, sha256=sha256), reference=reference.strip().upper())
    return render(request, "intake/receipt_verify.html", context)
