from django.urls import path

from survivors_justice.cases import views, work_views

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
    path("<int:pk>/facts/", work_views.record_facts, name="facts"),
    path("<int:pk>/charges/", work_views.amend_charge, name="amend_charge"),
    path("<int:pk>/supervisor-decision/", work_views.supervisor_decision,
         name="supervisor_decision"),
    path("<int:pk>/reopen/", work_views.reopen, name="reopen"),
    path("decided/", work_views.decided, name="decided"),
    path("bulk-accept/", work_views.bulk_accept, name="bulk_accept"),
    path("followups/", work_views.followup_queue, name="followups"),
    path("followups/<int:pk>/take/", work_views.task_take, name="task_take"),
    path("followups/<int:pk>/assign/", work_views.task_assign, name="task_assign"),
    path("followups/<int:pk>/close/", work_views.task_close, name="task_close"),
]
