from django.shortcuts import render


def csrf_failure(request, reason=""):
    """A form posted with an expired token (often: signed in again in another tab). Says
    in plain language that nothing was saved and how not to lose the text."""
    return render(request, "403_csrf.html", status=403)
