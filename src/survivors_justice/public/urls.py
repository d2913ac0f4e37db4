from django.urls import path

from survivors_justice.public import views

app_name = "public"

urlpatterns = [
    path("", views.status_page, name="status"),
]
