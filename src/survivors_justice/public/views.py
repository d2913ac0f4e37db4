"""Pages anyone may see signed out: the store's status (counts only, nothing about a person)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from survivors_justice.arrests.stats import store_counts


@require_GET
def status_page(request: HttpRequest) -> HttpResponse:
    return render(request, "public/status.html", {"counts": store_counts()})
