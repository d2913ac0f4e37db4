from django.urls import path

from survivors_justice.review import instrument_views as views

app_name = "screenings"

urlpatterns = [
    path("cases/<int:pk>/start/", views.start, name="start"),
    path("<int:pk>/", views.question, name="question"),
    path("<int:pk>/finish/", views.finish, name="finish"),
    path("<int:pk>/stop/", views.stop, name="stop"),
]
