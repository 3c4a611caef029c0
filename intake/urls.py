from django.urls import path

from intake import dossier_views, receipt_views, views

app_name = "intake"

urlpatterns = [
    path("", views.home, name="home"),
    path("calls/<slug:slug>/", views.call_detail, name="call_detail"),
    path("calls/<slug:slug>/follow/", views.call_follow, name="call_follow"),
    path("unfollow/<str:token>/", views.call_unfollow, name="call_unfollow"),
    path("calls/<slug:slug>/preregistration/", views.preregistration, name="preregistration"),
    path("calls/<slug:slug>/preregistration/submit/", views.preregistration_submit, name="preregistration_submit"),
    path("calls/<slug:slug>/preregistration/withdraw/", views.preregistration_withdraw, name="preregistration_withdraw"),
    path("calls/<slug:slug>/preregistration/reopen/", views.preregistration_reopen, name="preregistration_reopen"),
    path("calls/<slug:slug>/dossier/", dossier_views.dossier_overview, name="dossier"),
    path("calls/<slug:slug>/dossier/submit/", dossier_views.dossier_submit, name="dossier_submit"),
    path("calls/<slug:slug>/dossier/withdraw/", dossier_views.dossier_withdraw, name="dossier_withdraw"),
    path("calls/<slug:slug>/dossier/reopen/", dossier_views.dossier_reopen, name="dossier_reopen"),
    path("calls/<slug:slug>/dossier/versions/<int:version>/", dossier_views.dossier_version, name="dossier_version"),
    path("calls/<slug:slug>/dossier/attachments/", dossier_views.dossier_attachments, name="dossier_attachments"),
    path(
        "calls/<slug:slug>/dossier/attachments/<int:pk>/",
        dossier_views.dossier_attachment_download,
        name="dossier_attachment_download",
    ),
    path(
        "calls/<slug:slug>/dossier/attachments/<int:pk>/delete/",
        dossier_views.dossier_attachment_delete,
        name="dossier_attachment_delete",
    ),
    path("calls/<slug:slug>/dossier/mandates/", dossier_views.dossier_mandates, name="dossier_mandates"),
    path("calls/<slug:slug>/dossier/mandates/template.csv", dossier_views.mandates_template, name="mandates_template"),
    path("calls/<slug:slug>/dossier/mandates/<int:pk>/", dossier_views.dossier_mandate_edit, name="dossier_mandate_edit"),
    path(
        "calls/<slug:slug>/dossier/mandates/<int:pk>/delete/", dossier_views.dossier_mandate_delete, name="dossier_mandate_delete"
    ),
    path(
        "calls/<slug:slug>/dossier/mandates/<int:pk>/letter/", dossier_views.dossier_mandate_letter, name="dossier_mandate_letter"
    ),
    path("calls/<slug:slug>/dossier/budget/", dossier_views.dossier_budget, name="dossier_budget"),
    path("calls/<slug:slug>/dossier/section/<slug:section>/", dossier_views.dossier_section, name="dossier_section"),
    path("receipts/verify/", receipt_views.receipt_verify_page, name="receipt_verify"),
    path("receipts/<str:reference>/", receipt_views.receipt_download, name="receipt_download"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<int:pk>/edit/", views.organisation_edit, name="organisation_edit"),
    path("organisations/<int:pk>/invitations/", views.invitation_create, name="invitation_create"),
    path("organisations/<int:pk>/invitations/<int:invitation_pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("organisations/<int:pk>/members/<int:membership_pk>/remove/", views.membership_remove, name="membership_remove"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
