from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from clusterportal.admin_site import install as install_admin_site
from clusterportal.health import healthz
from intake.web.views import public as intake_public
from reviews import views as reviews_views

install_admin_site()

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    # The language switch also remembers the choice for e-mails (reminders, receipts).
    path("i18n/setlang/", intake_public.set_language, name="set_language"),
    path("reviews/", include("reviews.urls")),
    path("", include("intake.urls")),
    # After intake's URLs, so that /receipts/verify/ stays the public check. The download
    # lives in reviews because its scope includes the agency's staff.
    path("receipts/<str:reference>/", reviews_views.receipt_download, name="receipt_download"),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
