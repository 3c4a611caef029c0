"""The project's URLs plus one bare view, the reference for request-level benchmarks."""

from django.http import HttpResponse
from django.urls import include, path


def bare(request):
    return HttpResponse("ok")


urlpatterns = [path("__bench__/bare/", bare), path("", include("clusterportal.urls"))]
