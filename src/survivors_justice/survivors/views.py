"""The advocate's pages: caseload, record, consent, referrals, plan, bookings, certifications.

Thin: each view asks the permission module, calls one service and renders. Every page that shows a
survivor's record writes an audit record of the read. A survivor the advocate may not open is a
404, the same as one that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, cast

from django.contrib import messages
from django.db import connection
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from survivors_justice.audit.reads import audit_list_read, audit_read
from survivors_justice.permissions import (
    Action,
    can,
    not_found,
    require,
    visible_bookings,
    visible_referrals,
    visible_survivors,
)
from survivors_justice.survivors import care, forms, services
from survivors_justice.survivors.consent import ConsentError, current_q, today
from survivors_justice.survivors.models import (
    SOGI_LABELS,
    Booking,
    Certification,
    CertificationState,
    Consent,
    Disclosure,
    Diversion,
    Domain,
    Goal,
    Language,
    Referral,
    ReferralState,
    Room,
    StaffHours,
    Step,
    Survivor,
)
from survivors_justice.survivors.translations import all_reviewed, text

PAGE_SIZE = 25
CAME_BACK_SHOWN = 10


def page_number(request: HttpRequest) -> int:
    value = request.GET.get("page", "1")
    return max(1, min(int(value), 10_000)) if value.isdigit() else 1
# what the caseload list shows (the other personal fields are not read, so not decrypted)
CASELOAD_FIELDS = ("id", "given_name", "family_name", "preferred_name", "minor", "language",
                   "interpreter_needed", "opened_at", "advocate")
OPEN_REFERRAL_STATES = (ReferralState.SENT, ReferralState.ACCEPTED, ReferralState.IN_SERVICE)
DECLINED_SHOWN_DAYS = 30  # a declined referral stays on the caseload page this long
SurvivorView = Callable[..., HttpResponseBase]


def source_of(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


def survivor_view(view: SurvivorView) -> SurvivorView:
    """Load survivor ``pk`` for its advocate: 404 for anyone else (and for a missing record)."""

    def inner(request: HttpRequest, pk: int, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not can(request.user, Action.VIEW_SURVIVOR):
            return not_found(request)
        survivor = Survivor.objects.filter(pk=pk).first()
        if survivor is None or not can(request.user, Action.VIEW_SURVIVOR, survivor):
            return not_found(request)
        return view(request, survivor, *args, **kwargs)

    inner.__name__ = view.__name__
    inner.__doc__ = view.__doc__
    return inner


def _owned(request: HttpRequest, model: Any, pk: int, path: str = "survivor") -> Any:
    """The object ``pk`` of ``model`` when its survivor is in the advocate's caseload, else None."""
    obj = model.objects.filter(pk=pk).select_related(path).first()
    if obj is None:
        return None
    survivor = obj
    for part in path.split("__"):
        survivor = getattr(survivor, part)
    return obj if can(request.user, Action.EDIT_SURVIVOR, survivor) else None


def pk_url_prefix(name: str) -> str:
    """The URL of ``name`` for a primary key, less the key: a list page adds each row's key
    (``f"{prefix}{pk}/"``) instead of reversing the URL once per row."""
    url = reverse(name, args=[0])
    if not url.endswith("/0/"):
        raise ValueError(f"URL {name!r} ({url}) does not end with its key; reverse it per row")
    return url[:-2]


def display_name(s: Survivor) -> str:
    return s.preferred_name or " ".join(p for p in (s.given_name, s.family_name) if p) or (
        f"Person {s.pk} (no name given)")


@require_http_methods(["GET"])
@require(Action.CASELOAD)
def caseload(request: HttpRequest) -> HttpResponse:
    """The advocate's survivors, referrals that came back, and referral tasks from intake."""
    on = today()
    page = page_number(request)
    first = (page - 1) * PAGE_SIZE
    survivors = list(
        visible_survivors(request.user).filter(closed_at__isnull=True)
        .only(*CASELOAD_FIELDS).order_by("-opened_at")[first:first + PAGE_SIZE + 1]
    )
    more = len(survivors) > PAGE_SIZE
    survivors = survivors[:PAGE_SIZE]
    open_counts = dict(
        Referral.objects.filter(survivor_id__in=[s.pk for s in survivors],
                                state__in=OPEN_REFERRAL_STATES)
        .values_list("survivor_id").annotate(n=Count("id")).values_list("survivor_id", "n")
    )
    came_back = _came_back(request, on) if page == 1 else []
    tasks = _referral_tasks(request) if page == 1 else []
    audit_list_read(request, survivors, action="survivors.caseload.read")
    detail, referral = pk_url_prefix("survivors:detail"), pk_url_prefix("survivors:referral")
    rows = [(s, display_name(s), open_counts.get(s.pk, 0), f"{detail}{s.pk}/") for s in survivors]
    return render(request, "survivors/caseload.html", {
        "rows": rows,
        "came_back": [(r, display_name(r.survivor), f"{referral}{r.pk}/") for r in came_back],
        "tasks": tasks, "today": on, "page": page, "more": more,
    })


def _came_back(request: HttpRequest, on: date) -> list[Referral]:
    """The first referrals that came back: overdue without an answer, or declined lately.

    One query. Each kind is found on its own, in due-date order and cut at the number shown (an
    index walk of ``referral_overdue``, ``referral_declined_recent``), and only those few rows are
    read with their person and organisation: joining all of an advocate's people to all of the
    office's overdue referrals first would cost the whole caseload on every page view.
    """
    mine = visible_referrals(request.user)
    overdue = (mine.filter(state=ReferralState.SENT, respond_by__lt=on)
               .order_by("respond_by").values("pk")[:CAME_BACK_SHOWN])
    declined = (mine.filter(state=ReferralState.DECLINED,
                            responded_at__gte=timezone.now() - timedelta(days=DECLINED_SHOWN_DAYS))
                .order_by("respond_by").values("pk")[:CAME_BACK_SHOWN])
    if connection.features.supports_slicing_ordering_in_compound:  # PostgreSQL
        wanted = Q(pk__in=overdue.union(declined, all=True))
    else:  # SQLite: no LIMIT inside a UNION; two IN lists plan well there
        wanted = Q(pk__in=overdue) | Q(pk__in=declined)
    return list(
        Referral.objects.filter(wanted)
        .select_related("survivor", "organisation")
        .only("id", "state", "need", "sent_at", "respond_by", "decline_reason",
              "organisation__name", *(f"survivor__{f}" for f in CASELOAD_FIELDS))
        .order_by("respond_by", "pk")[:CAME_BACK_SHOWN]
    )


def _referral_tasks(request: HttpRequest) -> list[Any]:
    """Intake's open "refer to an advocate" tasks nobody took yet, or that are the advocate's."""
    from survivors_justice.cases.followups import queue
    from survivors_justice.cases.models import FollowUpKind

    return list(
        queue(cast(Any, request.user)).filter(kind=FollowUpKind.REFER_TO_ADVOCATE)
        .filter(Q(owner__isnull=True) | Q(owner_id=request.user.pk))[:PAGE_SIZE]
    )


@require_http_methods(["GET", "POST"])
@require(Action.ASSIGN_SURVIVOR)
def assign(request: HttpRequest) -> HttpResponse:
    """A supervisor gives a survivor's record (by number: no personal detail shows here) to a
    staff member; lapsed training is refused with its reason at the staff member's field."""
    from survivors_justice.accounts.models import User

    form = forms.AssignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["to"].lower()
        to = User.objects.filter(email=email).first()
        if to is None:
            form.add_error("to", f"No account has the email {email}; check it and try again.")
        else:
            try:
                survivor = services.assign_survivor(
                    actor=request.user, survivor_id=form.cleaned_data["survivor"], to=to,
                    source=source_of(request))
            except services.TrainingLapsed as exc:
                form.add_error("to", str(exc))
            except services.ServicesError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"Survivor record {survivor.pk} is now {to.email}'s.")
                return redirect("survivors:assign")
    return render(request, "survivors/assign_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@require(Action.OPEN_SURVIVOR)
def new_survivor(request: HttpRequest) -> HttpResponse:
    """A new record; from intake's referral task (``?task=``) it starts from what intake knows."""
    task_id = request.POST.get("task") or request.GET.get("task")
    prefill = None
    if task_id:
        if not str(task_id).isdigit():
            return not_found(request)
        prefill = services.task_prefill(int(task_id), request.user)
        if prefill is None:
            return not_found(request)
    form = forms.SurvivorForm(request.POST or None,
                              initial=prefill["initial"] if prefill else None)
    if request.method == "POST" and form.is_valid():
        try:
            if prefill:
                survivor = services.open_from_task(actor=request.user, task_id=int(task_id or 0),
                                                   source=source_of(request),
                                                   fields=form.survivor_fields())
            else:
                survivor = services.open_survivor(actor=request.user, source=source_of(request),
                                                  fields=form.survivor_fields())
        except (services.ServicesError, ValueError) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "The record is open and in your caseload.")
            return redirect("survivors:detail", survivor.pk)
    return render(request, "survivors/survivor_form.html",
                  {"form": form, "survivor": None, "task": prefill["task"] if prefill else None})


@require_http_methods(["GET"])
@survivor_view
def detail(request: HttpRequest, survivor: Survivor) -> HttpResponse:
    audit_read(request, survivor)
    on = today()
    consents = list(survivor.consents.select_related("organisation").order_by("-recorded_at"))
    return render(request, "survivors/detail.html", {
        "s": survivor, "name": display_name(survivor),
        "language": dict(Language.choices).get(survivor.language, survivor.language),
        "sogi": {k: SOGI_LABELS.get(getattr(survivor, k), getattr(survivor, k))
                 for k in ("sexual_orientation", "gender_identity")},
        "consents": [(c, c.is_current(on)) for c in consents],
        "referrals": survivor.referrals.select_related("organisation").order_by("-sent_at"),
        "links": survivor.case_links.select_related("case"),
        "diversions": survivor.diversions.order_by("-offered_on"),
        "certifications": survivor.certifications.order_by("-requested_on"),
        "bookings": survivor.bookings.select_related("hours__room", "hours__organisation")
        .order_by("-starts_at")[:10],
        "link_form": forms.LinkCaseForm(), "diversion_form": forms.DiversionOfferForm(),
        "certification_form": forms.CertificationForm(),
    })


@require_http_methods(["GET", "POST"])
@survivor_view
def edit(request: HttpRequest, survivor: Survivor) -> HttpResponse:
    form = forms.SurvivorForm(request.POST or None,
                              initial=forms.SurvivorForm.initial_from(survivor))
    if request.method == "POST" and form.is_valid():
        services.update_survivor(actor=request.user, survivor_id=survivor.pk,
                                 source=source_of(request), fields=form.survivor_fields())
        messages.success(request, "Saved.")
        return redirect("survivors:detail", survivor.pk)
    audit_read(request, survivor)
    return render(request, "survivors/survivor_form.html", {"form": form, "survivor": survivor})


@require_POST
@survivor_view
def link_case(request: HttpRequest, survivor: Survivor) -> HttpResponse:
    from survivors_justice.cases.models import Case

    form = forms.LinkCaseForm(request.POST)
    if form.is_valid():
        case = Case.objects.filter(number=form.cleaned_data["case_number"].strip()).first()
        if case is None:
            messages.error(request, "No case has that number; check it on the case papers.")
        else:
            services.link_case(actor=request.user, survivor_id=survivor.pk, case_id=case.pk,
                               relation=form.cleaned_data["relation"], source=source_of(request))
            messages.success(request, f"Linked to case {case.number}.")
    return redirect("survivors:detail", survivor.pk)


@require_http_methods(["GET", "POST"])
@survivor_view
def consent_new(request: HttpRequest, survivor: Survivor) -> HttpResponse:
    form = forms.ConsentForm(request.POST or None,
                             initial={"starts_on": today(), "language": survivor.language})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.record_consent(
                actor=request.user, survivor_id=survivor.pk, organisation_id=d["organisation"].pk,
                categories=d["categories"], purpose=d["purpose"], starts_on=d["starts_on"],
                ends_on=d["ends_on"], given_how=d["given_how"], language=d["language"],
                witness=d["witness"], interpreter=d["interpreter"], source=source_of(request))
        except ConsentError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Consent recorded for {d['organisation'].name}.")
            return redirect("survivors:detail", survivor.pk)
    return render(request, "survivors/consent_form.html",
                  {"form": form, "s": survivor, "name": display_name(survivor)})


@require_POST
def consent_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    consent = _owned(request, Consent, pk)
    if consent is None:
        return not_found(request)
    services.revoke_consent(actor=request.user, consent_id=consent.pk, source=source_of(request))
    messages.success(request, f"Consent withdrawn: {consent.organisation.name} sees nothing it "
                              "granted from now on.")
    return redirect("survivors:detail", consent.survivor_id)


@require_http_methods(["GET"])
@survivor_view
def shared_copy(request: HttpRequest, survivor: Survivor) -> HttpResponse:
    """The person's own printable copy: every consent, and what was shown to whom, when."""
    audit_read(request, survivor, action="survivor.shared_copy")
    consents = survivor.consents.select_related("organisation").order_by("recorded_at")
    shown = (Disclosure.objects.filter(survivor=survivor)
             .values("organisation__name", "category", "consent_id", "at__date")
             .annotate(times=Count("id")).order_by("at__date", "organisation__name", "category"))
    lang = survivor.language
    return render(request, "survivors/shared_copy.html", {
        "s": survivor, "name": display_name(survivor), "consents": consents, "shown": shown,
        "title": text("shared.title", lang), "today": today(),
    })


@require_http_methods(["GET", "POST"])
@survivor_view
def referral_new(request: HttpRequest, survivor: Survivor) -> HttpResponse:
    consents = survivor.consents.filter(current_q(today())).select_related("organisation")
    form = forms.ReferralForm(request.POST or None, consents=consents)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.send_referral(actor=request.user, survivor_id=survivor.pk,
                                   consent_id=d["consent"].pk, need=d["need"], note=d["note"],
                                   source=source_of(request))
        except (ConsentError, services.ServicesError) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Referral sent to {d['consent'].organisation.name}.")
            return redirect("survivors:detail", survivor.pk)
    return render(request, "survivors/referral_form.html",
                  {"form": form, "s": survivor, "name": display_name(survivor),
                   "no_consent": not consents.exists()})


@require_POST
def referral_withdraw(request: HttpRequest, pk: int) -> HttpResponse:

    referral = _owned(request, Referral, pk)
    if referral is None:
        return not_found(request)
    try:
        services.withdraw_referral(actor=request.user, referral_id=referral.pk,
                                   source=source_of(request))
    except ValueError as exc:
        messages.error(request, str(exc))
    return redirect("survivors:detail", referral.survivor_id)


# --- healing plan ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@survivor_view
def plan(request: HttpRequest, survivor: Survivor) -> HttpResponse:
    goal_form = forms.GoalForm(prefix="goal")
    step_form = forms.StepForm(prefix="step")
    check_form = forms.CheckInForm(prefix="check", initial={"on": today()})
    if request.method == "POST":
        kind = request.POST.get("kind")
        try:
            if kind == "goal":
                goal_form = forms.GoalForm(request.POST, prefix="goal")
                if goal_form.is_valid():
                    care.add_goal(actor=request.user, survivor_id=survivor.pk,
                                  source=source_of(request), **goal_form.cleaned_data)
                    return redirect("survivors:plan", survivor.pk)
            elif kind == "step":
                step_form = forms.StepForm(request.POST, prefix="step")
                goal = Goal.objects.filter(pk=request.POST.get("goal", "0"),
                                           survivor=survivor).first()
                if goal is not None and step_form.is_valid():
                    d = step_form.cleaned_data
                    care.add_step(actor=request.user, goal_id=goal.pk, text_=d["text"],
                                  owner=d["owner"], due_on=d["due_on"], source=source_of(request))
                    return redirect("survivors:plan", survivor.pk)
            elif kind == "done":
                step = Step.objects.filter(pk=request.POST.get("step", "0"),
                                           goal__survivor=survivor).first()
                if step is not None:
                    care.complete_step(actor=request.user, step_id=step.pk,
                                       source=source_of(request))
                return redirect("survivors:plan", survivor.pk)
            elif kind == "check":
                check_form = forms.CheckInForm(request.POST, prefix="check")
                if check_form.is_valid():
                    care.add_check_in(actor=request.user, survivor_id=survivor.pk,
                                      source=source_of(request), **check_form.cleaned_data)
                    return redirect("survivors:plan", survivor.pk)
        except services.ServicesError as exc:
            messages.error(request, str(exc))
    audit_read(request, survivor, action="survivor.plan_read")
    goals = survivor.goals.prefetch_related("steps").order_by("domain", "pk")
    return render(request, "survivors/plan.html", {
        "s": survivor, "name": display_name(survivor), "goals": goals,
        "goal_form": goal_form, "step_form": step_form, "check_form": check_form,
        "check_ins": survivor.check_ins.order_by("-on")[:20], "domains": Domain.choices,
    })


@require_http_methods(["GET"])
@survivor_view
def plan_print(request: HttpRequest, survivor: Survivor) -> HttpResponse:
    """The plain-language copy for the person, in their language (English when untranslated)."""
    lang = request.GET.get("lang") or survivor.language
    keys = ["plan.title", "plan.intro", "plan.goal", "plan.step", "plan.who", "plan.by"]
    t = {k.split(".")[1]: text(k, lang) for k in keys}
    audit_read(request, survivor, action="survivor.plan_print")
    return render(request, "survivors/plan_print.html", {
        "s": survivor, "name": display_name(survivor), "t": t, "lang": lang,
        "reviewed": all_reviewed(keys, lang),
        "goals": survivor.goals.prefetch_related("steps").order_by("domain", "pk"),
        "domain_labels": dict(Domain.choices),
    })


# --- diversion -----------------------------------------------------------------------------


@require_POST
@survivor_view
def diversion_offer(request: HttpRequest, survivor: Survivor) -> HttpResponse:
    form = forms.DiversionOfferForm(request.POST)
    if form.is_valid():
        care.offer_diversion(actor=request.user, survivor_id=survivor.pk,
                             source=source_of(request), **form.cleaned_data)
        messages.success(request, "Diversion offered. Services never depend on the answer.")
    else:
        messages.error(request, "Name the programme offered.")
    return redirect("survivors:detail", survivor.pk)


@require_POST
def diversion_update(request: HttpRequest, pk: int) -> HttpResponse:
    diversion = _owned(request, Diversion, pk)
    if diversion is None:
        return not_found(request)
    form = forms.DiversionUpdateForm(request.POST)
    if form.is_valid():
        try:
            care.update_diversion(actor=request.user, diversion_id=diversion.pk,
                                  source=source_of(request), **form.cleaned_data)
        except services.ServicesError as exc:
            messages.error(request, str(exc))
    return redirect("survivors:detail", diversion.survivor_id)


# --- bookings ------------------------------------------------------------------------------


@require_http_methods(["GET"])
@require(Action.CASELOAD)
def bookings(request: HttpRequest) -> HttpResponse:
    rows = list(visible_bookings(request.user).filter(
        cancelled_at__isnull=True, starts_at__gte=timezone.now() - timedelta(days=1))
        .select_related("survivor", "hours__room", "hours__organisation")
        .order_by("starts_at")[:PAGE_SIZE])
    audit_list_read(request, rows, action="survivors.bookings.read")
    return render(request, "survivors/bookings.html", {
        "rows": [(b, display_name(b.survivor)) for b in rows], "rooms": Room.objects.all(),
        "hours": StaffHours.objects.select_related("room", "organisation")
        .order_by("weekday", "starts"),
    })


@require_http_methods(["GET", "POST"])
@survivor_view
def booking_new(request: HttpRequest, survivor: Survivor) -> HttpResponse:
    hours = StaffHours.objects.select_related("room", "organisation").order_by("weekday", "starts")
    form = forms.BookingForm(request.POST or None, hours=hours)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        starts = timezone.make_aware(datetime.combine(d["day"], d["start"]))
        try:
            care.book(actor=request.user, survivor_id=survivor.pk, hours_id=d["hours"].pk,
                      starts_at=starts, minutes=d["minutes"], source=source_of(request))
        except services.ServicesError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Booked. A reminder is queued in their language.")
            return redirect("survivors:detail", survivor.pk)
    return render(request, "survivors/booking_form.html",
                  {"form": form, "s": survivor, "name": display_name(survivor)})


@require_POST
def booking_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    booking = _owned(request, Booking, pk)
    if booking is None:
        return not_found(request)
    care.cancel_booking(actor=request.user, booking_id=booking.pk, source=source_of(request))
    messages.success(request, "Booking cancelled; its reminder will not be sent.")
    return redirect("survivors:detail", booking.survivor_id)


# --- certifications --------------------------------------------------------------------------


@require_http_methods(["GET"])
@require(Action.CERTIFICATIONS)
def certifications(request: HttpRequest) -> HttpResponse:
    rows = list(Certification.objects.filter(survivor__in=visible_survivors(request.user))
                .select_related("survivor").order_by("state", "target_on")[:PAGE_SIZE])
    audit_list_read(request, rows, action="survivors.certifications.read")
    return render(request, "survivors/certifications.html", {
        "rows": [(c, display_name(c.survivor)) for c in rows], "today": today(),
        "update_form": forms.CertificationUpdateForm(initial={"on": today()}),
        "requested": CertificationState.REQUESTED,
    })


@require_POST
@survivor_view
def certification_new(request: HttpRequest, survivor: Survivor) -> HttpResponse:
    form = forms.CertificationForm(request.POST)
    if form.is_valid():
        care.request_certification(actor=request.user, survivor_id=survivor.pk,
                                   source=source_of(request), **form.cleaned_data)
        messages.success(request, "Request recorded; it is on the certifications page.")
    return redirect("survivors:detail", survivor.pk)


@require_POST
def certification_update(request: HttpRequest, pk: int) -> HttpResponse:
    cert = _owned(request, Certification, pk)
    if cert is None:
        return not_found(request)
    form = forms.CertificationUpdateForm(request.POST)
    if form.is_valid():
        try:
            care.decide_certification(actor=request.user, certification_id=cert.pk,
                                      state=form.cleaned_data["state"], on=form.cleaned_data["on"],
                                      source=source_of(request))
        except services.ServicesError as exc:
            messages.error(request, str(exc))
    return redirect("survivors:certifications")


