"""URL configuration: each app contributes its own patterns."""

from django.urls import include, path

from survivors_justice.api import api

urlpatterns = [
    path("", include("survivors_justice.public.urls")),
    path("", include("survivors_justice.accounts.urls")),
    path("", include("survivors_justice.transparency.urls")),
    path("training/", include("survivors_justice.training.urls")),
    path("workspace/", include("survivors_justice.workspace.urls")),
    path("audit/", include("survivors_justice.audit.urls")),
    path("cases/", include("survivors_justice.cases.urls")),
    path("survivors/", include("survivors_justice.survivors.urls")),
    path("partners/", include("survivors_justice.partners.urls")),
    path("panel/", include("survivors_justice.review.urls")),
    path("screenings/", include("survivors_justice.review.instrument_urls")),
    path("court/", include("survivors_justice.courts.urls")),
    path("api/", api.urls),
]
