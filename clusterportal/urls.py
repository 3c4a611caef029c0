from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from clusterportal.health import healthz

admin.site.site_header = "clusterportal — beheer"
admin.site.site_title = "clusterportal"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("reviews/", include("reviews.urls")),
    path("", include("intake.urls")),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
