from django.urls import path

from . import views

app_name = "certification"

urlpatterns = [
    path("", views.progress, name="progress"),
    path("records/new/", views.record_create, name="record-create"),
    path("records/<int:pk>/", views.record_detail, name="record-detail"),
    path("records/<int:pk>/withdraw/", views.record_withdraw, name="record-withdraw"),
    path("records/<int:pk>/edit/", views.record_resubmit, name="record-edit"),
    path("records/<int:pk>/evidence/", views.evidence_download, name="evidence-download"),
    path("reviews/", views.review_queue, name="review-queue"),
    path("reviews/<int:pk>/", views.record_review, name="record-review"),
    path("team/", views.team, name="team"),
    path("people/<int:pk>/", views.transcript, name="transcript"),
    path("people/<int:pk>/transcript.csv", views.transcript_csv, name="transcript-csv"),
    path("supervision/new/", views.supervision_create, name="supervision-create"),
    path("issue/", views.certification_issue, name="certification-issue"),
    path("attest/", views.certification_attest, name="certification-attest"),
    path("audits/", views.attestation_list, name="attestation-list"),
    path("audits/<int:pk>/", views.attestation_audit, name="attestation-audit"),
    path("trainings/", views.training_list, name="training-list"),
    path("trainings/new/", views.training_create, name="training-create"),
    path("trainings/<int:pk>/edit/", views.training_edit, name="training-edit"),
    path("trainings/<int:pk>/register/", views.training_register, name="training-register"),
    path("trainings/<int:pk>/attendance/", views.training_attendance, name="training-attendance"),
    path("trainings/<int:pk>/close/", views.training_close, name="training-close"),
    path("certificates/<int:pk>/", views.training_certificate, name="training-certificate"),
]
