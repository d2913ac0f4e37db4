from django.urls import path

from survivors_justice.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.audit_log, name="log"),
    path("verify/", views.run_verification, name="verify"),
]
