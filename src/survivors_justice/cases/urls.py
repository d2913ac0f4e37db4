from django.urls import path

from survivors_justice.cases import views

app_name = "cases"

urlpatterns = [
    path("intake/", views.intake_queue, name="queue"),
    path("intake/export.csv", views.queue_export, name="queue_export"),
    path("priority/", views.priority_list, name="priority_list"),
    path("overrides/", views.override_queue, name="overrides"),
    path("overrides/<int:pk>/review/", views.review, name="review"),
    path("compliance/", views.compliance, name="compliance"),
    path("rechecks/", views.rechecks, name="rechecks"),
    path("rechecks/<int:pk>/review/", views.recheck_review, name="recheck_review"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/accept/", views.accept, name="accept"),
    path("<int:pk>/override/", views.override, name="override"),
]
