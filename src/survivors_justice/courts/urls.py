from django.urls import path

from survivors_justice.courts import views

app_name = "courts"

urlpatterns = [
    path("", views.calendar, name="calendar"),
    path("plans/new/", views.build, name="build"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/adopt/", views.adopt, name="adopt"),
    path("plans/<int:pk>/calendar.ics", views.plan_ics, name="ics"),
]
