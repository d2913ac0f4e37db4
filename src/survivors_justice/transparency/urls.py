from django.urls import path

from survivors_justice.transparency import views

app_name = "transparency"

urlpatterns = [
    path("transparency/", views.public_index, name="index"),
    path("transparency/<slug:slug>/", views.public_release, name="release"),
    path("transparency/<slug:slug>/<slug:table>.csv", views.public_csv, name="csv"),
    path("transparency/<slug:slug>/chart/<slug:name>.svg", views.public_chart, name="chart"),
    path("releases/", views.staff_releases, name="staff"),
    path("releases/prepare/", views.prepare, name="prepare"),
    path("releases/<slug:slug>/approve/", views.approve, name="approve"),
]
