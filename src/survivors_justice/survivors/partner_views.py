"""Partner staff's pages (their referrals and bookings) and the referral page both sides use.

What a partner sees of a person comes from :func:`survivors_justice.permissions.partner_view_of`
(the consent predicate): a referral whose person has no current consent for the partner's
organisation is not in the list and its page is a 404; the fields shown are the consented
categories', and every showing is recorded as a disclosure with the consent it relied on.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from django.contrib import messages
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST
from icalendar import Calendar, Event

from survivors_justice.audit.reads import audit_read
from survivors_justice.permissions import (
    Action,
    can,
    not_found,
    partner_organisation_id,
    partner_view_of,
    require,
    visible_bookings,
    visible_referrals,
)
from survivors_justice.survivors import forms, services
from survivors_justice.survivors.consent import NAME_FIELDS, current_q, partner_view, today
from survivors_justice.survivors.models import Booking, Consent, Referral, ReferralState, Room
from survivors_justice.survivors.views import (
    display_name,
    page_number,
    pk_url_prefix,
    source_of,
)

PAGE_SIZE = 25


@require_http_methods(["GET"])
@require(Action.PARTNER_REFERRALS)
def partner_referrals(request: HttpRequest) -> HttpResponse:
    """The organisation's referrals whose person has a current consent, with consented fields."""
    org = partner_organisation_id(request.user)
    if org is None:
        return render(request, "survivors/partner_referrals.html", {"no_org": True, "rows": []})
    on = today()
    page = page_number(request)
    first = (page - 1) * PAGE_SIZE
    referrals = list(
        visible_referrals(request.user)
        .select_related("survivor")
        .only("id", "survivor_id", "organisation_id", "need", "state", "sent_at",
              "respond_by", *(f"survivor__{f}" for f in ("id", *NAME_FIELDS)))
        .order_by("-sent_at")[first:first + PAGE_SIZE + 1]
    )
    more = len(referrals) > PAGE_SIZE
    referrals = referrals[:PAGE_SIZE]
    consents: dict[int, list[Consent]] = defaultdict(list)
    for c in Consent.objects.filter(current_q(on), organisation_id=org,
                                    survivor_id__in={r.survivor_id for r in referrals}):
        consents[c.survivor_id].append(c)
    # case status is read only for the people who consented to share it
    with_status = [r.survivor for r in referrals
                   if any("case_status" in c.categories for c in consents[r.survivor_id])]
    prefetch_related_objects(with_status, "case_links__case", "diversions")
    referral_url = pk_url_prefix("survivors:referral")
    rows = []
    for r in referrals:
        # the list shows the name (with identity consented) and the categories, nothing else
        view = partner_view(r.survivor, org, on, consents=consents[r.survivor_id],
                            read=NAME_FIELDS)
        if view is not None:  # the query already requires a current consent
            rows.append((r, view, f"{referral_url}{r.pk}/"))
    services.record_disclosures(viewer=request.user, views=[v for _, v, _ in rows],
                                where=request.path, source=source_of(request))
    return render(request, "survivors/partner_referrals.html",
                  {"rows": rows, "no_org": False, "page": page, "more": more})


def _referral_for(request: HttpRequest, pk: int) -> Referral | None:
    if not can(request.user, Action.VIEW_REFERRAL):
        return None
    referral = Referral.objects.select_related("survivor", "organisation", "service",
                                               "consent").filter(pk=pk).first()
    if referral is None or not can(request.user, Action.VIEW_REFERRAL, referral):
        return None
    return referral


@require_http_methods(["GET"])
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _referral_for(request, pk)
    if referral is None:
        return not_found(request)
    view = None
    if can(request.user, Action.RESPOND_REFERRAL, referral):
        view = partner_view_of(request.user, referral.survivor)
        if view is None:  # pragma: no cover - the rule above already required a consent
            return not_found(request)
        services.record_disclosures(viewer=request.user, views=[view], where=request.path,
                                    source=source_of(request))
    else:
        audit_read(request, referral)
    return render(request, "survivors/referral_detail.html", {
        "r": referral, "view": view,
        "name": view.display_name if view else display_name(referral.survivor),
        "can_respond": view is not None,
        "respond_form": forms.RespondForm(),
        "service_form": forms.ServiceForm(initial={
            "started_on": referral.service_started_on or today(),
            "ended_on": referral.service_ended_on, "outcome": referral.outcome}),
        "states": ReferralState,
    })


@require_POST
def referral_respond(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _referral_for(request, pk)
    if referral is None:
        return not_found(request)
    if not can(request.user, Action.RESPOND_REFERRAL, referral):
        return not_found(request)
    form = forms.RespondForm(request.POST)
    if form.is_valid():
        try:
            services.respond_referral(actor=request.user, referral_id=referral.pk,
                                      accept=form.cleaned_data["decision"] == "accept",
                                      reason=form.cleaned_data["reason"],
                                      source=source_of(request))
            messages.success(request, "Your answer is recorded; the advocate sees it.")
        except (services.ServicesError, ValueError) as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, "Choose accept or decline.")
    return redirect("survivors:referral", referral.pk)


@require_POST
def referral_service(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _referral_for(request, pk)
    if referral is None or not can(request.user, Action.RESPOND_REFERRAL, referral):
        return not_found(request)
    form = forms.ServiceForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.record_service(actor=request.user, referral_id=referral.pk,
                                    started_on=d["started_on"], ended_on=d["ended_on"],
                                    outcome=d["outcome"], source=source_of(request))
            messages.success(request, "Service recorded.")
        except (services.ServicesError, ValueError) as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, "Give the date the service started.")
    return redirect("survivors:referral", referral.pk)


@require_http_methods(["GET"])
@require(Action.PARTNER_BOOKINGS)
def partner_bookings(request: HttpRequest) -> HttpResponse:
    org = partner_organisation_id(request.user)
    rows = list(visible_bookings(request.user).filter(
        cancelled_at__isnull=True, starts_at__gte=timezone.now() - timedelta(days=1))
        .select_related("survivor", "hours__room").order_by("starts_at")[:PAGE_SIZE])
    on = today()
    views = []
    for b in rows:
        view = partner_view(b.survivor, org or 0, on)
        if view is not None:
            views.append((b, view))
    services.record_disclosures(viewer=request.user, views=[v for _, v in views],
                                where=request.path, source=source_of(request))
    return render(request, "survivors/partner_bookings.html", {"rows": views, "org": org})


# --- calendar feeds ------------------------------------------------------------------------


def _calendar(name: str, bookings: list[Booking]) -> HttpResponse:
    """An ICS file with no name in it: the service, the room, language and interpreter need."""
    cal = Calendar()
    cal.add("prodid", "-//Survivor's Justice//on-site services//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    for b in bookings:
        event = Event()
        event.add("uid", f"booking-{b.pk}@survivors-justice")
        event.add("dtstamp", timezone.now())
        event.add("dtstart", b.starts_at)
        event.add("dtend", b.ends_at)
        need = (f", interpreter: {b.language}" if b.interpreter_needed
                else f", language: {b.language}")
        event.add("summary", f"{b.hours.service} (booking {b.pk}{need})")
        event.add("location", b.hours.room.name)
        cal.add_component(event)
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name.replace(" ", "-")}.ics"'
    return response


@require_http_methods(["GET"])
@require(Action.CASELOAD)
def room_ics(request: HttpRequest, pk: int) -> HttpResponse:
    """A room's bookings (office staff): occupancy, service and interpreter needs, no names."""
    room = Room.objects.filter(pk=pk).first()
    if room is None:
        return not_found(request)
    rows = list(Booking.objects.filter(hours__room=room, cancelled_at__isnull=True)
                .select_related("hours__room").order_by("starts_at"))
    return _calendar(f"Room {room.name}", rows)


@require_http_methods(["GET"])
@require(Action.PARTNER_BOOKINGS)
def partner_ics(request: HttpRequest) -> HttpResponse:
    """The partner's own on-site bookings, only those whose person has a current consent."""
    rows = list(visible_bookings(request.user).filter(cancelled_at__isnull=True)
                .select_related("hours__room").order_by("starts_at"))
    return _calendar("On-site bookings", rows)
