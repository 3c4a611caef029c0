"""The project's URLs plus the bare views that request-level benchmarks are divided by:
one that answers, one that reads one row, one that inserts one row (through the same
middleware, CSRF included)."""

from django.http import HttpResponse
from django.urls import include, path

from intake.models import AuditEvent, Call


def bare(request):
    return HttpResponse("ok")


def bare_select(request):
    return HttpResponse(Call.objects.filter(is_published=True).values_list("title", flat=True).first() or "ok")


def bare_insert(request):
    AuditEvent.objects.create(action="bench.insert", object_type="bench", object_id="0")
    return HttpResponse("ok")


urlpatterns = [
    path("__bench__/bare/", bare),
    path("__bench__/select/", bare_select),
    path("__bench__/insert/", bare_insert),
    path("", include("clusterportal.urls")),
]
