from django.urls import path

from reviews import views

app_name = "reviews"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("two-factor/", views.second_factor, name="second_factor"),
    path("<slug:slug>/", views.call_applications, name="call"),
    path("<slug:slug>/assignments/", views.assignments, name="assignments"),
    path("<slug:slug>/dossiers/<str:reference>/", views.dossier_detail, name="dossier"),
    path("<slug:slug>/dossiers/<str:reference>/declare/", views.declare, name="declare"),
    path("<slug:slug>/dossiers/<str:reference>/admissibility/", views.admissibility, name="admissibility"),
    path("<slug:slug>/dossiers/<str:reference>/scores/", views.scores, name="scores"),
    path("<slug:slug>/dossiers/<str:reference>/decision/", views.decide, name="decision"),
    path("<slug:slug>/dossiers/<str:reference>/attachments/<int:pk>/", views.attachment, name="attachment"),
]
