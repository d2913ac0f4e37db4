"""URL configuration: each app contributes its own patterns."""

from django.urls import include, path

urlpatterns = [
    path("", include("survivors_justice.public.urls")),
    path("", include("survivors_justice.accounts.urls")),
    path("cases/", include("survivors_justice.cases.urls")),
]
