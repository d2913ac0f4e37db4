"""The partner directory: search by need, language and borough; a partner's own entry."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from survivors_justice.partners import forms, services
from survivors_justice.partners.models import Organisation
from survivors_justice.partners.search import search_services
from survivors_justice.permissions import (
    Action,
    can,
    not_found,
    partner_organisation_id,
    require,
)

PAGE_SIZE = 50


def _source(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


@require_http_methods(["GET"])
@require(Action.DIRECTORY)
def directory(request: HttpRequest) -> HttpResponse:
    form = forms.DirectorySearchForm(request.GET or None)
    results = []
    if form.is_valid():
        results = list(
            search_services(**form.cleaned_data)
            .prefetch_related("languages", "areas", "schedules", "locations")[:PAGE_SIZE]
        )
    elif not request.GET:
        results = list(search_services().prefetch_related("languages", "areas", "schedules",
                                                          "locations")[:PAGE_SIZE])
    return render(request, "partners/directory.html", {"form": form, "results": results})


@require_http_methods(["GET"])
@require(Action.DIRECTORY)
def organisation(request: HttpRequest, pk: int) -> HttpResponse:
    org = Organisation.objects.filter(pk=pk).first()
    if org is None:
        return not_found(request)
    return render(request, "partners/organisation.html", {
        "org": org,
        "services": org.services.prefetch_related("languages", "areas", "schedules"),
        "locations": org.locations.all(),
        "can_edit": can(request.user, Action.EDIT_DIRECTORY_ENTRY, org),
    })


@require_http_methods(["GET", "POST"])
@require(Action.EDIT_DIRECTORY_ENTRY)
def my_entry(request: HttpRequest) -> HttpResponse:
    org_id = partner_organisation_id(request.user)
    org = Organisation.objects.filter(pk=org_id).first() if org_id else None
    if org is None:
        return render(request, "partners/my_entry.html", {"org": None})
    form = forms.EntryForm(request.POST or None, initial={
        "description": org.description, "email": org.email, "website": org.website})
    if request.method == "POST":
        if "capacity" in request.POST:
            cap = forms.CapacityForm(request.POST)
            if cap.is_valid() and org.services.filter(pk=cap.cleaned_data["service"]).exists():
                services.set_capacity(actor=request.user, service_id=cap.cleaned_data["service"],
                                      capacity=cap.cleaned_data["capacity"],
                                      source=_source(request))
                messages.success(request, "Capacity saved.")
                return redirect("partners:mine")
        elif form.is_valid():
            services.update_entry(actor=request.user, organisation_id=org.pk,
                                  source=_source(request), **form.cleaned_data)
            messages.success(request, "Your directory entry is saved.")
            return redirect("partners:mine")
    return render(request, "partners/my_entry.html", {
        "org": org, "form": form,
        "services": org.services.prefetch_related("languages", "areas", "schedules"),
    })
