"""The public transparency page (no sign-in) and the staff pages that prepare and approve
releases. Public pages read published releases only, and only their frozen figures."""

from __future__ import annotations

import html
import re
import tempfile
from pathlib import Path
from typing import NoReturn

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from survivors_justice.accounts.middleware import public
from survivors_justice.analytics.defaults import DEFAULT_THRESHOLD
from survivors_justice.analytics.errors import AnalyticsError
from survivors_justice.analytics.release import MEASURES
from survivors_justice.permissions import Action, can, forbidden, mark_refusal, require
from survivors_justice.transparency import services
from survivors_justice.transparency.models import Release, ReleaseState, ReleaseTable


def _published(request: HttpRequest, slug: str) -> Release:
    """The published release ``slug``; a prepared one answers exactly like one that does not
    exist, and the attempt is audited like any record that may not be seen."""
    release = Release.objects.filter(slug=slug, state=ReleaseState.PUBLISHED).first()
    if release is None:
        _missing(request, "no such release")
    return release


def _missing(request: HttpRequest, what: str) -> NoReturn:
    mark_refusal(request, None)
    raise Http404(what)


@public
@require_GET
def public_index(request: HttpRequest) -> HttpResponse:
    published = Release.objects.filter(state=ReleaseState.PUBLISHED)
    latest = published.first()
    # the list needs no release's charts (SVG text, the largest column)
    releases = published.only("slug", "month_from", "month_to", "arrests", "prepared_at")
    return render(request, "transparency/index.html", {
        "releases": releases, "latest": latest,
        "tables": latest.tables.all() if latest else [],
        "charts": _labels(latest) if latest else {},
    })


@public
@require_GET
def public_release(request: HttpRequest, slug: str) -> HttpResponse:
    release = _published(request, slug)
    return render(request, "transparency/release.html", {
        "release": release, "tables": release.tables.all(),
        "charts": _labels(release),
    })


_LABELS: dict[tuple[int, str], dict[str, str]] = {}


def _labels(release: Release) -> dict[str, str]:
    """Chart name -> its accessible description (the SVG's aria-label). A published release is
    frozen, so each process reads its charts' labels once (keyed by its tables' digest too)."""
    key = (release.pk, str(release.digests.get("tables", "")))
    if key not in _LABELS:
        found = {k: re.search(r'aria-label="([^"]*)"', v) for k, v in release.charts.items()}
        _LABELS[key] = {k: html.unescape(m.group(1)) if m else k for k, m in found.items()}
    return _LABELS[key]


@public
@require_GET
def public_chart(request: HttpRequest, slug: str, name: str) -> HttpResponse:
    """A frozen chart as an SVG image (shown with <img>, so its own styles apply under the
    page's content security policy)."""
    release = _published(request, slug)
    if name not in release.charts:
        _missing(request, "no such chart")
    response = HttpResponse(release.charts[name], content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=3600"
    return response


@public
@require_GET
def public_csv(request: HttpRequest, slug: str, table: str) -> HttpResponse:
    release = _published(request, slug)
    found = ReleaseTable.objects.filter(release=release, name=table).first()
    if found is None:
        _missing(request, "no such table")
    response = HttpResponse(found.csv, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}-{table}.csv"'
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
@require(Action.RELEASES)
def staff_releases(request: HttpRequest) -> HttpResponse:
    return render(request, "transparency/staff.html", {
        "releases": Release.objects.select_related("prepared_by", "approved_by"),
        "may_prepare": can(request.user, Action.PREPARE_RELEASE),
        "may_approve": can(request.user, Action.APPROVE_RELEASE),
        "measures": MEASURES, "default_threshold": DEFAULT_THRESHOLD,
    })


@require_http_methods(["GET", "POST"])
@require(Action.PREPARE_RELEASE)
def prepare(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return redirect("transparency:staff")
    post = request.POST
    measures = tuple(m for m in MEASURES if m in post.getlist("measures")) or tuple(MEASURES)
    try:
        threshold = int(post.get("threshold") or DEFAULT_THRESHOLD)
    except ValueError:
        messages.error(request, "The threshold must be a whole number such as 11.")
        return redirect("transparency:staff")
    upload = request.FILES.get("source")
    try:
        if upload is not None:
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / "arrests.csv"
                with path.open("wb") as out:
                    for chunk in upload.chunks():
                        out.write(chunk)
                release = services.prepare_release(
                    actor=request.user, source=path, month_from=post.get("month_from", ""),
                    month_to=post.get("month_to", ""), threshold=threshold, measures=measures)
        else:
            from survivors_justice.arrests.frames import store_frame

            release = services.prepare_release(
                actor=request.user, source=store_frame(), month_from=post.get("month_from", ""),
                month_to=post.get("month_to", ""), threshold=threshold, measures=measures)
    except AnalyticsError as exc:
        messages.error(request, f"The release was not prepared: {exc}")
        return redirect("transparency:staff")
    messages.success(request, f"Release {release.slug} is prepared; a supervisor must approve it "
                              "before it is public.")
    return redirect("transparency:staff")


@require_POST
@require(Action.APPROVE_RELEASE)
def approve(request: HttpRequest, slug: str) -> HttpResponse:
    if not Release.objects.filter(slug=slug).exists():
        return forbidden(request)
    try:
        release = services.approve_release(actor=request.user, slug=slug)
    except services.ReleaseRefused as exc:
        messages.error(request, str(exc))
        return redirect("transparency:staff")
    messages.success(request, f"Release {release.slug} is published on the transparency page.")
    return redirect("transparency:staff")
