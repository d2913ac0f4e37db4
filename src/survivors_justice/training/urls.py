from django.urls import path

from survivors_justice.training import views

app_name = "training"

urlpatterns = [
    path("", views.training_page, name="records"),
    path("record/", views.record, name="record"),
    path("dashboard/", views.dashboard, name="dashboard"),
]
