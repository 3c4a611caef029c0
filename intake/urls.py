from django.urls import path

from intake import views

app_name = "intake"

urlpatterns = [
    path("", views.home, name="home"),
    path("calls/<slug:slug>/", views.call_detail, name="call_detail"),
    path("calls/<slug:slug>/preregistration/", views.preregistration, name="preregistration"),
    path("calls/<slug:slug>/preregistration/submit/", views.preregistration_submit, name="preregistration_submit"),
    path("calls/<slug:slug>/preregistration/withdraw/", views.preregistration_withdraw, name="preregistration_withdraw"),
    path("calls/<slug:slug>/preregistration/reopen/", views.preregistration_reopen, name="preregistration_reopen"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<int:pk>/edit/", views.organisation_edit, name="organisation_edit"),
    path("organisations/<int:pk>/invitations/", views.invitation_create, name="invitation_create"),
    path("organisations/<int:pk>/invitations/<int:invitation_pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("organisations/<int:pk>/members/<int:membership_pk>/remove/", views.membership_remove, name="membership_remove"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
