from django.urls import path

from survivors_justice.partners import views

app_name = "partners"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("mine/", views.my_entry, name="mine"),
    path("<int:pk>/", views.organisation, name="organisation"),
]
