from django.urls import path

from intake.web.views import attachments, budget, dossier, mandates, organisations, preregistration, public, receipts

app_name = "intake"

urlpatterns = [
    path("", public.home, name="home"),
    path("calls/<slug:slug>/", public.call_detail, name="call_detail"),
    path("calls/<slug:slug>/follow/", public.call_follow, name="call_follow"),
    path("unfollow/<str:token>/", public.call_unfollow, name="call_unfollow"),
    path("calls/<slug:slug>/preregistration/", preregistration.preregistration, name="preregistration"),
    path("calls/<slug:slug>/preregistration/submit/", preregistration.preregistration_submit, name="preregistration_submit"),
    path(
        "calls/<slug:slug>/preregistration/withdraw/", preregistration.preregistration_withdraw, name="preregistration_withdraw"
    ),
    path("calls/<slug:slug>/preregistration/reopen/", preregistration.preregistration_reopen, name="preregistration_reopen"),
    path("calls/<slug:slug>/dossier/", dossier.dossier_overview, name="dossier"),
    path("calls/<slug:slug>/dossier/submit/", dossier.dossier_submit, name="dossier_submit"),
    path("calls/<slug:slug>/dossier/withdraw/", dossier.dossier_withdraw, name="dossier_withdraw"),
    path("calls/<slug:slug>/dossier/reopen/", dossier.dossier_reopen, name="dossier_reopen"),
    path("calls/<slug:slug>/dossier/versions/<int:version>/", dossier.dossier_version, name="dossier_version"),
    path("calls/<slug:slug>/dossier/attachments/", attachments.dossier_attachments, name="dossier_attachments"),
    path(
        "calls/<slug:slug>/dossier/attachments/<int:pk>/",
        attachments.dossier_attachment_download,
        name="dossier_attachment_download",
    ),
    path(
        "calls/<slug:slug>/dossier/attachments/<int:pk>/delete/",
        attachments.dossier_attachment_delete,
        name="dossier_attachment_delete",
    ),
    path("calls/<slug:slug>/dossier/mandates/", mandates.dossier_mandates, name="dossier_mandates"),
    path("calls/<slug:slug>/dossier/mandates/template.csv", mandates.mandates_template, name="mandates_template"),
    path("calls/<slug:slug>/dossier/mandates/<int:pk>/", mandates.dossier_mandate_edit, name="dossier_mandate_edit"),
    path("calls/<slug:slug>/dossier/mandates/<int:pk>/delete/", mandates.dossier_mandate_delete, name="dossier_mandate_delete"),
    path("calls/<slug:slug>/dossier/mandates/<int:pk>/letter/", mandates.dossier_mandate_letter, name="dossier_mandate_letter"),
    path("calls/<slug:slug>/dossier/budget/", budget.dossier_budget, name="dossier_budget"),
    path("calls/<slug:slug>/dossier/budget/template.xlsx", budget.budget_template, name="budget_template"),
    path("calls/<slug:slug>/dossier/section/<slug:section>/", dossier.dossier_section, name="dossier_section"),
    # /receipts/<reference>/ (the download) is routed by clusterportal.urls: its scope
    # includes the agency's staff, which intake does not know about.
    path("receipts/verify/", receipts.receipt_verify_page, name="receipt_verify"),
    path("organisations/", organisations.organisation_list, name="organisation_list"),
    path("organisations/new/", organisations.organisation_create, name="organisation_create"),
    path("organisations/<int:pk>/", organisations.organisation_detail, name="organisation_detail"),
    path("organisations/<int:pk>/edit/", organisations.organisation_edit, name="organisation_edit"),
    path("organisations/<int:pk>/invitations/", organisations.invitation_create, name="invitation_create"),
    path(
        "organisations/<int:pk>/invitations/<int:invitation_pk>/revoke/",
        organisations.invitation_revoke,
        name="invitation_revoke",
    ),
    path("organisations/<int:pk>/members/<int:membership_pk>/remove/", organisations.membership_remove, name="membership_remove"),
    path("organisations/<int:pk>/evidence/", organisations.evidence_upload, name="evidence_upload"),
    path("organisations/<int:pk>/evidence/<int:evidence_pk>/", organisations.evidence_download, name="evidence_download"),
    path("organisations/<int:pk>/requests/<int:claim_pk>/", organisations.join_request_decide, name="join_request_decide"),
    path("organisations/claim/<str:enterprise_number>/", organisations.organisation_claim, name="organisation_claim"),
    path("invitations/<str:token>/", organisations.invitation_accept, name="invitation_accept"),
]
